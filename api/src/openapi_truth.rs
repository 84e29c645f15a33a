//! What `/openapi.json` must say beyond each handler's own annotation, applied to the whole
//! document so no operation can forget it: the bearer scheme (and which operations require
//! it), the 500 every operation can answer, and the 503 of every operation that reads or
//! writes the database.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::Modify;

/// The document-wide additions (see the module header).
pub(crate) struct Truthful;

/// Operations that never touch the database (the catalogue and places are in memory).
const NO_DATABASE: &[&str] = &[
    "/healthz",
    "/api/v1/services",
    "/api/v1/districts",
    "/api/v1/locate",
];

impl Modify for Truthful {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "A staff token from POST /api/v1/auth/token, as `Authorization: Bearer TOKEN`".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        for (path, item) in doc.paths.paths.iter_mut() {
            let database = !NO_DATABASE.contains(&path.as_str());
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                // /healthz cannot fail; /readyz turns every failure into its documented 503.
                complete(op, path == "/healthz" || path == "/readyz", database);
            }
        }
    }
}

fn complete(op: &mut Operation, cannot_fail: bool, database: bool) {
    let needs_token = op.responses.responses.get("401").is_some_and(|r| match r {
        RefOr::T(r) => r.description.contains("bearer token"),
        RefOr::Ref(_) => false,
    });
    if needs_token {
        op.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
    if cannot_fail {
        return;
    }
    let envelope = || {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
            .build()
    };
    op.responses
        .responses
        .entry("500".into())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(
                    "Internal error (`internal`): logged on the server, never detailed here",
                )
                .content("application/json", envelope())
                .build()
                .into()
        });
    if database {
        op.responses
            .responses
            .entry("503".into())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description(
                        "The database is not answering (`unavailable`), with `Retry-After` in seconds",
                    )
                    .content("application/json", envelope())
                    .build()
                    .into()
            });
    }
}
