//! What the OpenAPI documents must say beyond each operation's own annotation, applied to the
//! whole document so no operation can forget it: on `/openapi.json` the bearer scheme (and which
//! operations require it); on both it and `/open311/v2/openapi.json` the 500 every operation can
//! answer and the 503 (with `Retry-After`) of every operation that uses the database.

use utoipa::openapi::content::{Content, ContentBuilder};
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::Modify;

/// The native document's additions (see the module header).
pub(crate) struct Truthful;

/// The Open311 document's additions: 500 and 503 in Open311's own error list (JSON or XML).
pub(crate) struct Open311Truthful;

/// Open311 operations that never touch the database (discovery and the catalogue).
const OPEN311_NO_DATABASE: &[&str] = &[
    "/open311/v2/discovery.{format}",
    "/open311/v2/services.{format}",
    "/open311/v2/services/{service_code}.{format}",
];

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
                if path == "/healthz" || path == "/readyz" {
                    continue;
                }
                mark_bearer(op);
                complete(op, database, &|| {
                    vec![(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                            .build(),
                    )]
                });
            }
        }
    }
}

impl Modify for Open311Truthful {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let database = !OPEN311_NO_DATABASE.contains(&path.as_str());
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                complete(op, database, &|| {
                    let list = ArrayBuilder::new().items(Ref::from_schema_name("Open311Error"));
                    let xml = ObjectBuilder::new().schema_type(Type::String);
                    vec![
                        (
                            "application/json",
                            ContentBuilder::new().schema(Some(list.build())).build(),
                        ),
                        (
                            "text/xml",
                            ContentBuilder::new().schema(Some(xml.build())).build(),
                        ),
                    ]
                });
            }
        }
    }
}

/// An operation whose 401 is about the bearer token requires it.
fn mark_bearer(op: &mut Operation) {
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
}

/// Adds the 500 and, for an operation that uses the database, the 503, with `body` as their
/// content.
fn complete(op: &mut Operation, database: bool, body: &dyn Fn() -> Vec<(&'static str, Content)>) {
    let response = |description: &str| {
        let mut r = ResponseBuilder::new().description(description);
        for (content_type, content) in body() {
            r = r.content(content_type, content);
        }
        RefOr::T(r.build())
    };
    op.responses
        .responses
        .entry("500".into())
        .or_insert_with(|| {
            response("Internal error (`internal`): logged on the server, never detailed here")
        });
    if database {
        op.responses
            .responses
            .entry("503".into())
            .or_insert_with(|| {
                response(
                    "The database is not answering (`unavailable`), with `Retry-After` in seconds",
                )
            });
    }
}
