//! The OpenAPI document of Open311 GeoReport v2 (`/open311/v2/openapi.json`): every endpoint in
//! `.json` and `.xml`, the statuses each answers and the constraints it enforces. The handlers
//! in `open311/` serve several resources from one route (`/{resource}`), so the operations are
//! described here, one stub per path; `scripts/fuzz-api.sh` checks the document against the
//! server.

use crate::openapi_truth::Open311Truthful;
use crate::openapi_types::{ReferenceText, NOT_BLANK_PATTERN};
use axum::Json;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{OpenApi, PartialSchema, ToSchema};

/// The document.
#[derive(OpenApi)]
#[openapi(
    modifiers(&Open311Truthful),
    info(
        title = "Sahulat Open311 GeoReport v2",
        description = "Open311 GeoReport v2 with Sahulat's extensions (tehsil/district instead of a point, \
            extended statuses, Idempotency-Key). Every endpoint answers JSON (`.json`) or XML (`.xml`). \
            Errors are the spec's list, [{\"code\":400,\"description\":\"…\"}] or <errors><error>…</error></errors>. \
            An empty parameter counts as not given; a repeated one counts once (the first non-empty value)."
    ),
    paths(discovery, services, service_definition, list_requests, post_request, one_request, token, updates),
    components(schemas(Open311Error, Open311Created, Open311Request, Open311Update, Open311Service)),
    tags((name = "open311", description = "Open311 GeoReport v2 (`/open311/v2/`)"))
)]
pub(crate) struct Open311Doc;

/// `GET /open311/v2/openapi.json`.
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(Open311Doc::openapi())
}

/// One entry of an Open311 error list.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Open311Error {
    /// The HTTP status.
    code: u16,
    /// What went wrong, naming the field.
    description: String,
}

/// What `POST requests` answers (a list of one).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Open311Created {
    /// The nine-digit reference.
    service_request_id: String,
    /// A token to look the request up by (`tokens/{token}`).
    token: String,
    /// The reference, in words, in the reporter's language.
    service_notice: String,
    /// Always null.
    account_id: Option<String>,
}

/// A service request as Open311 shows it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Open311Request {
    service_request_id: String,
    /// `open` or `closed`.
    status: String,
    status_notes: Option<String>,
    service_name: Option<String>,
    service_code: String,
    description: String,
    agency_responsible: Option<String>,
    service_notice: Option<String>,
    /// W3C date-time with its offset (Pakistan time).
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: Option<String>,
    address: Option<String>,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
    /// With `extensions=true`: detailed_status, sahulat_status, priority, district, tehsil, channel.
    #[schema(value_type = Option<Object>)]
    extended_attributes: Option<()>,
}

/// A public history entry (`servicerequestupdates`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Open311Update {
    update_id: String,
    service_request_id: String,
    /// The extended status (OPEN, INVESTIGATING, IN_PROGRESS, FIXED, …).
    status: String,
    updated_datetime: String,
    description: String,
    media_url: String,
}

/// A service of the catalogue.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Open311Service {
    service_code: String,
    service_name: String,
    description: String,
    /// Whether `services/{code}` has questions.
    metadata: bool,
    /// Always `realtime`.
    r#type: String,
    keywords: String,
    group: String,
}

/// `json` or `xml`: the answer's format.
pub struct FormatExt;

impl PartialSchema for FormatExt {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["json", "xml"]))
            .description(Some("json or xml: the answer's format"))
            .into()
    }
}
impl ToSchema for FormatExt {}

/// A W3C date-time with its offset, in a query (an empty value counts as not given).
pub struct DateTimeText;

impl PartialSchema for DateTimeText {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::DateTime,
                ),
            )))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(crate::openapi_types::BLANK_PATTERN)),
            )
            .description(Some(
                "A W3C date-time with its offset, e.g. 2026-11-01T00:00:00+05:00",
            ))
            .into()
    }
}
impl ToSchema for DateTimeText {}

/// A comma list of references (whitespace around each, and empty items, are ignored).
pub struct ReferenceList;

impl PartialSchema for ReferenceList {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::openapi_types::REFERENCE_LIST_PATTERN))
            .description(Some(
                "Comma-separated nine-digit references (each with its Damm check digit); then every other filter is ignored",
            ))
            .into()
    }
}
impl ToSchema for ReferenceList {}

/// A comma list of statuses: `open`, `closed` or Sahulat's own.
pub struct StatusList;

impl PartialSchema for StatusList {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::openapi_types::comma_list_pattern(
                "open|closed|submitted|acknowledged|in_progress|referred|resolved|closed_not_fixed|not_responsible|duplicate|rejected",
            )))
            .description(Some("Comma-separated: open, closed, or Sahulat's detailed statuses"))
            .into()
    }
}
impl ToSchema for StatusList {}

/// A reference in a query (an empty value counts as not given).
pub struct OptionalReference;

impl PartialSchema for OptionalReference {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(ReferenceText::schema())
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(crate::openapi_types::BLANK_PATTERN)),
            )
            .description(Some("A nine-digit reference (with its Damm check digit)"))
            .into()
    }
}
impl ToSchema for OptionalReference {}

/// The form of `POST requests`.
pub struct PostForm;

impl PartialSchema for PostForm {
    fn schema() -> RefOr<Schema> {
        use crate::openapi_types as t;
        let text = |d: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(d))
        };
        let patterned = |p: &str, d: &str| text(d).pattern(Some(p));
        let form = ObjectBuilder::new()
            .property("api_key", text("The key `sahulat apikey create` printed"))
            .required("api_key")
            .property(
                "service_code",
                patterned(NOT_BLANK_PATTERN, "A service code of `services.json`"),
            )
            .required("service_code")
            .property(
                "lat",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(-90.0))
                    .maximum(Some(90.0))
                    .description(Some("Latitude; with `long`, a point in a district that accepts requests")),
            )
            .property(
                "long",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(-180.0))
                    .maximum(Some(180.0))
                    .description(Some("Longitude")),
            )
            .property("address_string", text("Address or landmark (500 characters kept)"))
            .property(
                "description",
                patterned(
                    t::OPEN311_DESCRIPTION_PATTERN,
                    "What is wrong: at most 4000 characters once trimmed",
                ),
            )
            .property("first_name", text("The reporter's first name (never shown)"))
            .property("last_name", text("The reporter's last name (never shown)"))
            .property(
                "phone",
                patterned(t::OPTIONAL_PHONE_PATTERN, "A Pakistani mobile number (never shown)"),
            )
            .property(
                "email",
                patterned(t::OPTIONAL_EMAIL_PATTERN, "An e-mail address (never shown)").max_length(Some(254)),
            )
            .property(
                "media_url",
                patterned(t::OPTIONAL_MEDIA_URL_PATTERN, "http:// or https:// address of a photo").max_length(Some(2000)),
            )
            .property(
                "lang",
                patterned(t::OPTIONAL_LANG_PATTERN, "en, ur or sd: the language of the service_notice"),
            )
            .property(
                "tehsil",
                text("Sahulat extension: a tehsil code, when there is no point"),
            )
            .property(
                "district",
                text("Sahulat extension: a district P-code or name, when there is no point"),
            )
            .description(Some(
                "GeoReport v2 fields; `attribute[CODE]` answers the service's questions (repeat it for a multivaluelist)",
            ));
        let typed = |ty: Type| ObjectBuilder::new().schema_type(ty);
        let point = ObjectBuilder::new()
            .property("lat", typed(Type::Number))
            .property("long", typed(Type::Number))
            .required("lat")
            .required("long");
        let named = |field: &str| {
            ObjectBuilder::new()
                .property("lat", typed(Type::Null))
                .property("long", typed(Type::Null))
                .property(field, typed(Type::String).pattern(Some(NOT_BLANK_PATTERN)))
                .required(field)
        };
        utoipa::openapi::schema::AllOfBuilder::new()
            .schema_type(Type::Object)
            .item(form)
            .item(
                AnyOfBuilder::new()
                    .item(point)
                    .item(named("tehsil"))
                    .item(named("district"))
                    .description(Some(
                        "Where: `lat` and `long`, or without them a `tehsil` or a `district`",
                    )),
            )
            .into()
    }
}
impl ToSchema for PostForm {}

/// The same form with a `media` file part (GeoReport v2.1).
pub struct PostMultipart;

impl PartialSchema for PostMultipart {
    fn schema() -> RefOr<Schema> {
        let RefOr::T(Schema::AllOf(mut all)) = PostForm::schema() else {
            return PostForm::schema();
        };
        all.items.push(
            ObjectBuilder::new()
                .property(
                    "media",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                            utoipa::openapi::schema::KnownFormat::Binary,
                        )))
                        .description(Some(
                            "A JPEG, PNG or WebP that decodes, at most 10 MB: stored as the request's photo",
                        )),
                )
                .into(),
        );
        RefOr::T(Schema::AllOf(all))
    }
}
impl ToSchema for PostMultipart {}

fn list_of(item: &str) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(utoipa::openapi::Ref::from_schema_name(item))
        .into()
}

macro_rules! list_type {
    ($name:ident, $item:literal) => {
        /// A JSON list.
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                list_of($item)
            }
        }
        impl ToSchema for $name {}
    };
}
list_type!(Errors, "Open311Error");
list_type!(Requests, "Open311Request");
list_type!(Updates, "Open311Update");
list_type!(Services, "Open311Service");
list_type!(CreatedList, "Open311Created");

/// Discovery: where the endpoints are and which formats they speak.
#[utoipa::path(get, path = "/open311/v2/discovery.{format}", tag = "open311",
    params(("format" = inline(FormatExt), Path, description = "json or xml")),
    responses(
        (status = 200, description = "The discovery document", content((Object = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A malformed query string", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "The format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn discovery() {}

/// The service catalogue.
#[utoipa::path(get, path = "/open311/v2/services.{format}", tag = "open311",
    params(("format" = inline(FormatExt), Path, description = "json or xml"),
        ("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd (also `locale`; default: Accept-Language, then en)")),
    responses(
        (status = 200, description = "The services", content((Services = "application/json"), (String = "text/xml"))),
        (status = 400, description = "An unknown language, or a malformed query string", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "The format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn services() {}

/// A service's questions.
#[utoipa::path(get, path = "/open311/v2/services/{service_code}.{format}", tag = "open311",
    params(("service_code" = String, Path, description = "A service code of services.json"),
        ("format" = inline(FormatExt), Path, description = "json or xml"),
        ("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd")),
    responses(
        (status = 200, description = "The service definition: its attributes", content((Object = "application/json"), (String = "text/xml"))),
        (status = 400, description = "An unknown language, or a malformed query string", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such service, or the format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn service_definition() {}

/// Service requests: by id, or by service, status and date window (the last 90 days by default).
#[utoipa::path(get, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = inline(FormatExt), Path, description = "json or xml"),
        ("service_request_id" = inline(Option<ReferenceList>), Query, description = "Comma-separated references; then every other filter is ignored"),
        ("service_code" = Option<String>, Query, description = "Comma-separated service codes of services.json"),
        ("status" = inline(Option<StatusList>), Query, description = "Comma list: open, closed, or Sahulat's detailed statuses"),
        ("start_date" = inline(Option<DateTimeText>), Query, description = "From (W3C date-time); default: 90 days before end_date"),
        ("end_date" = inline(Option<DateTimeText>), Query, description = "To (W3C date-time), not before start_date and at most 90 days after it; default: now, or start_date + 90 days"),
        ("max_requests" = inline(Option<crate::openapi_types::MaxRequests>), Query, description = "1–1000 (default 1000)"),
        ("extensions" = Option<String>, Query, description = "true: add extended_attributes")),
    responses(
        (status = 200, description = "The requests", content((Requests = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A malformed reference, unknown service or status, malformed date, a window wider than 90 days or ending before it starts, max_requests out of range", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "The format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn list_requests() {}

/// Report a problem (needs an API key).
#[utoipa::path(post, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = inline(FormatExt), Path, description = "json or xml"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Retry-safe key, 1–255 visible ASCII characters: a retry with the same key and body returns the first answer")),
    request_body(content((PostForm = "application/x-www-form-urlencoded"), (PostMultipart = "multipart/form-data"))),
    responses(
        (status = 201, description = "Stored; with `Idempotent-Replayed: true` when it is a retry's answer", content((CreatedList = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A field is invalid (the description names it), the form or multipart body is malformed, or the Idempotency-Key is malformed", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 403, description = "api_key missing, unknown or revoked", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 413, description = "Body over 256 KiB (form) or 10 MB (multipart)", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 415, description = "Neither form-encoded nor multipart/form-data", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 422, description = "The Idempotency-Key was used with another body, or the media file is not a picture", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 429, description = "Too many reports from this API key or phone number (`Retry-After`)", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "The format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn post_request() {}

/// One service request.
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.{format}", tag = "open311",
    params(("service_request_id" = String, Path, description = "The reference; one that is not a valid reference is not found either"),
        ("format" = inline(FormatExt), Path, description = "json or xml"),
        ("extensions" = Option<String>, Query, description = "true: add extended_attributes")),
    responses(
        (status = 200, description = "A list of one request", content((Requests = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A malformed query string", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No such request, or the format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn one_request() {}

/// A request by the token `POST requests` gave.
#[utoipa::path(get, path = "/open311/v2/tokens/{token}.{format}", tag = "open311",
    params(("token" = String, Path, description = "The token"),
        ("format" = inline(FormatExt), Path, description = "json or xml")),
    responses(
        (status = 200, description = "`[{service_request_id, token}]`", content((Vec<Object> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "No request has this token, or the format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn token() {}

/// Public history entries (the FixMyStreet extension), at most 1000, in a window of at most 90 days.
#[utoipa::path(get, path = "/open311/v2/servicerequestupdates.{format}", tag = "open311",
    params(("format" = inline(FormatExt), Path, description = "json or xml"),
        ("start_date" = inline(Option<DateTimeText>), Query, description = "From (W3C date-time); default: 90 days before end_date"),
        ("end_date" = inline(Option<DateTimeText>), Query, description = "To (W3C date-time), at most 90 days after start_date"),
        ("service_request_id" = inline(Option<OptionalReference>), Query, description = "Only this request's entries"),
        ("lang" = inline(Option<crate::openapi_types::LangText>), Query, description = "en, ur or sd: the entries' words (also `locale`)")),
    responses(
        (status = 200, description = "The entries", content((Updates = "application/json"), (String = "text/xml"))),
        (status = 400, description = "A malformed date or reference, an unknown language, or a window wider than 90 days", content((Errors = "application/json"), (String = "text/xml"))),
        (status = 404, description = "The format is neither json nor xml", content((Errors = "application/json"), (String = "text/xml"))),
    ))]
#[allow(dead_code)]
fn updates() {}
