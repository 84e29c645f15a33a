//! Schemas the OpenAPI document states for values the API checks by hand: a reference (nine
//! digits, spaces and dashes ignored), a Pakistani mobile number (the spellings
//! `sahulat_domain::phone::Phone::parse` accepts), a language code. The patterns follow the
//! parsers exactly — including which characters `str::trim` and `char::is_whitespace` take for
//! whitespace — so that what the document calls valid is what the API accepts and the other
//! way round; `scripts/fuzz-api.sh` checks both directions. What a pattern cannot say (the
//! reference's Damm check digit, whether it exists) is in the description.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// What Rust's `char::is_whitespace` (and so `str::trim`) takes for whitespace, as a character
/// class body (the Unicode White_Space property).
macro_rules! ws {
    () => {
        r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}

/// Nine ASCII digits; whitespace and dashes anywhere are ignored (`Reference::parse`).
pub const REFERENCE_PATTERN: &str = concat!("^[", ws!(), "-]*(?:[0-9][", ws!(), "-]*){9}$");

/// A Pakistani mobile number as `Phone::parse` takes it, surrounding whitespace trimmed:
/// digits with spaces, dashes, dots or brackets between them and a leading `+`, spelling one of
/// 3xx…, 03xx…, 923xx…, 00923xx…, 009203xx…, +923xx… or +9203xx… (ten digits from the 3).
pub const PHONE_PATTERN: &str = concat!(
    "^[",
    ws!(),
    r"]*(?:\+[ ().-]*9[ ().-]*2[ ().-]*(?:0[ ().-]*)?|[ ().-]*(?:0[ ().-]*0[ ().-]*9[ ().-]*2[ ().-]*(?:0[ ().-]*)?|0[ ().-]*|9[ ().-]*2[ ().-]*)?)3[ ().-]*(?:[0-9][ ().-]*){9}[",
    ws!(),
    "]*$"
);

/// [`PHONE_PATTERN`], or only whitespace (an empty optional number means "none").
pub const OPTIONAL_PHONE_PATTERN: &str = concat!(
    "^[",
    ws!(),
    r"]*$|^[",
    ws!(),
    r"]*(?:\+[ ().-]*9[ ().-]*2[ ().-]*(?:0[ ().-]*)?|[ ().-]*(?:0[ ().-]*0[ ().-]*9[ ().-]*2[ ().-]*(?:0[ ().-]*)?|0[ ().-]*|9[ ().-]*2[ ().-]*)?)3[ ().-]*(?:[0-9][ ().-]*){9}[",
    ws!(),
    "]*$"
);

/// A language as `Lang::parse` reads it: `en`, `ur` or `sd` in any case, optionally with a
/// region or script after `-` or `_` (`en-GB`, `ur-Latn`), surrounding whitespace trimmed.
pub const LANG_PATTERN: &str = concat!(
    "^[",
    ws!(),
    r"]*(?:[Ee][Nn]|[Uu][Rr]|[Ss][Dd])(?:[-_][\s\S]*)?$"
);

/// [`LANG_PATTERN`], or only whitespace (then the default language).
pub const OPTIONAL_LANG_PATTERN: &str = concat!(
    "^[",
    ws!(),
    r"]*$|^[",
    ws!(),
    r"]*(?:[Ee][Nn]|[Uu][Rr]|[Ss][Dd])(?:[-_][\s\S]*)?$"
);

/// A text whose trimmed length is `min..=max` characters (`min` >= 2).
pub fn trimmed_text(min: usize, max: usize, description: &str) -> Schema {
    let pattern = format!(
        "^[{ws}]*[^{ws}][\\s\\S]{{{lo},{hi}}}[^{ws}][{ws}]*$",
        ws = ws!(),
        lo = min - 2,
        hi = max - 2
    );
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .min_length(Some(min))
        .description(Some(description))
        .into()
}

fn string(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([example])
        .into()
}

/// A request reference in a path.
pub struct ReferenceText;

impl PartialSchema for ReferenceText {
    fn schema() -> RefOr<Schema> {
        string(
            REFERENCE_PATTERN,
            "Nine digits (spaces and dashes are ignored); the last is a Damm check digit, and a \
             reference whose check digit does not match is answered 400 (a typing mistake)",
            "154745171",
        )
    }
}
impl ToSchema for ReferenceText {}

/// A Pakistani mobile number (required).
pub struct PhoneText;

impl PartialSchema for PhoneText {
    fn schema() -> RefOr<Schema> {
        string(
            PHONE_PATTERN,
            "A Pakistani mobile number: 0300 1234567, +92 300 1234567, 0092 300 1234567, 92 300 1234567 or 300 1234567 (spaces, dashes, dots and brackets between digits are ignored)",
            "0300 1234567",
        )
    }
}
impl ToSchema for PhoneText {}

/// A language code (`?lang=`).
pub struct LangText;

impl PartialSchema for LangText {
    fn schema() -> RefOr<Schema> {
        string(
            OPTIONAL_LANG_PATTERN,
            "en, ur or sd (any case; a region after - or _ is ignored); empty: the default",
            "ur",
        )
    }
}
impl ToSchema for LangText {}

/// Schema of an optional phone field in a JSON body (may be null or empty).
pub fn optional_phone() -> Schema {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(OPTIONAL_PHONE_PATTERN))
        .description(Some(
            "A Pakistani mobile number (0300 1234567, +92 300 1234567, …); empty or null: none",
        ))
        .into()
}

/// Schema of a required phone field in a JSON body.
pub fn phone() -> Schema {
    match PhoneText::schema() {
        RefOr::T(s) => s,
        RefOr::Ref(_) => unreachable!("an inline schema"),
    }
}

/// Schema of an optional language field in a JSON body (may be null or empty).
pub fn optional_lang() -> Schema {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(OPTIONAL_LANG_PATTERN))
        .description(Some("en, ur or sd; empty or null: English"))
        .into()
}

/// A request's description: 3–4000 characters once trimmed.
pub fn description() -> Schema {
    trimmed_text(
        3,
        4000,
        "What is wrong: 3–4000 characters once surrounding whitespace is trimmed",
    )
}

/// After trimming: empty, or an e-mail address (an `@`, no whitespace).
pub const OPTIONAL_EMAIL_PATTERN: &str = concat!(
    "^[",
    ws!(),
    "]*(?:[^",
    ws!(),
    "]*@[^",
    ws!(),
    "]*)?[",
    ws!(),
    "]*$"
);

/// After trimming: empty, or an `http://` or `https://` address.
pub const OPTIONAL_MEDIA_URL_PATTERN: &str = concat!("^[", ws!(), r"]*(?:https?://[\s\S]*)?$");

/// Only whitespace, or nothing (an empty parameter counts as not given).
pub const BLANK_PATTERN: &str = concat!("^[", ws!(), "]*$");

/// An Open311 description: at most 4000 characters once trimmed.
pub const OPEN311_DESCRIPTION_PATTERN: &str = concat!(
    "^[",
    ws!(),
    "]*(?:[^",
    ws!(),
    r"](?:[\s\S]{0,3998}[^",
    ws!(),
    "])?)?[",
    ws!(),
    "]*$"
);

/// A comma list of references: each item blank, or nine digits among whitespace and dashes.
pub const REFERENCE_LIST_PATTERN: &str = concat!(
    "^(?:[",
    ws!(),
    "]*|[",
    ws!(),
    "-]*(?:[0-9][",
    ws!(),
    "-]*){9})(?:,(?:[",
    ws!(),
    "]*|[",
    ws!(),
    "-]*(?:[0-9][",
    ws!(),
    "-]*){9}))*$"
);

/// A comma list whose items, once trimmed, are empty or one of `words` (`a|b|c`).
pub fn comma_list_pattern(words: &str) -> String {
    format!(
        "^[{ws}]*(?:(?:{words})[{ws}]*)?(?:,[{ws}]*(?:(?:{words})[{ws}]*)?)*$",
        ws = ws!()
    )
}

/// An optional e-mail address: after trimming, empty (none) or at most 254 bytes with an `@`
/// and no whitespace.
pub fn optional_email() -> Schema {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(OPTIONAL_EMAIL_PATTERN))
        .max_length(Some(254))
        .description(Some(
            "An e-mail address: an @ and no whitespace, at most 254 bytes; empty or null: none",
        ))
        .into()
}

/// An optional photo address: after trimming, empty (none) or `http://…` / `https://…`, at
/// most 2000 bytes.
pub fn optional_media_url() -> Schema {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(OPTIONAL_MEDIA_URL_PATTERN))
        .max_length(Some(2000))
        .description(Some(
            "The address of a photo, http:// or https://, at most 2000 bytes; empty or null: none",
        ))
        .into()
}

/// A string with something besides whitespace in it (a blank value counts as not given).
pub const NOT_BLANK_PATTERN: &str = concat!("[^", ws!(), "]");

fn nullable_string(pattern: String, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

/// A text of at least `min` (>= 2) characters once trimmed.
pub fn trimmed_at_least(min: usize, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^[{ws}]*[^{ws}][\\s\\S]{{{lo},}}[^{ws}][{ws}]*$",
            ws = ws!(),
            lo = min - 2
        )))
        .min_length(Some(min))
        .description(Some(description))
        .into()
}

/// A reopen's reason: at least 3 characters once trimmed.
pub fn reason() -> Schema {
    trimmed_at_least(
        3,
        "What is still wrong: at least 3 characters once trimmed (staff-only)",
    )
}

/// A staff comment: 3–2000 characters once trimmed.
pub fn comment_text() -> Schema {
    trimmed_text(3, 2000, "The text: 3–2000 characters once trimmed")
}

/// Optional text (null or a string) of at most `max` (>= 2) characters once trimmed.
pub fn optional_at_most(max: usize, description: &str) -> Schema {
    nullable_string(
        format!(
            "^[{ws}]*(?:[^{ws}](?:[\\s\\S]{{0,{hi}}}[^{ws}])?)?[{ws}]*$",
            ws = ws!(),
            hi = max - 2
        ),
        description,
    )
}

/// An optional rating comment: at most 500 characters once trimmed.
pub fn rating_comment() -> Schema {
    optional_at_most(
        500,
        "Optional words: at most 500 characters once trimmed (staff-only)",
    )
}

/// An optional language that must not be blank when given (`Lang::parse` on the raw value).
pub fn optional_lang_given() -> Schema {
    nullable_string(LANG_PATTERN.into(), "en, ur or sd (default en)")
}

/// `web`, `ussd` or `api`, or null (then `api`).
pub fn citizen_channel() -> Schema {
    nullable_string(
        "^(?:web|ussd|api)$".into(),
        "web, ussd or api (default api)",
    )
}

/// A picture sent as the request body.
pub struct Picture;

impl PartialSchema for Picture {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Binary,
            )))
            .description(Some(
                "The picture's bytes: a JPEG, PNG or WebP that decodes, at most 10 MB and 50 megapixels",
            ))
            .into()
    }
}
impl ToSchema for Picture {}

/// [`OPTIONAL_LANG_PATTERN`] without Roman Urdu (`ur-Latn`), for what is written only in
/// English, Urdu and Sindhi.
pub struct LangTextNoLatn;

impl PartialSchema for LangTextNoLatn {
    fn schema() -> RefOr<Schema> {
        string(
            concat!(
                "^[",
                ws!(),
                r"]*$|^[",
                ws!(),
                r"]*(?![Uu][Rr]-[Ll][Aa][Tt][Nn][",
                ws!(),
                r"]*$)(?:[Ee][Nn]|[Uu][Rr]|[Ss][Dd])(?:[-_][\s\S]*)?$"
            ),
            "en, ur or sd (any case; a region after - or _ is ignored); empty: English",
            "ur",
        )
    }
}
impl ToSchema for LangTextNoLatn {}

/// A day, `YYYY-MM-DD`, in a query (an empty value counts as not given).
pub struct DateText;

impl PartialSchema for DateText {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Date,
                ),
            )))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(concat!("^[", ws!(), "]*$"))),
            )
            .description(Some("A day, YYYY-MM-DD; empty: the default"))
            .into()
    }
}
impl ToSchema for DateText {}

/// Africa's Talking's inbound SMS form. The handler reads whatever body comes as a form and
/// picks these fields by name (none is required; unknown ones are ignored), so any body is
/// accepted: the schema allows every type but null (an absent body is the other branch).
pub struct AtSmsForm;

impl PartialSchema for AtSmsForm {
    fn schema() -> RefOr<Schema> {
        let text = |d: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(d))
        };
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::Object,
                Type::String,
                Type::Number,
                Type::Integer,
                Type::Boolean,
                Type::Array,
            ]))
            .property("from", text("The sender's number"))
            .property("to", text("The short code it was sent to"))
            .property("text", text("The message"))
            .property("date", text("When it was received"))
            .property("id", text("The gateway's message id (a retry repeats it)"))
            .property("linkId", text("The session link id"))
            .description(Some(
                "A form; fields are read by name and none is required (a message without an id gets one from its sender, date and text)",
            ))
            .into()
    }
}
impl ToSchema for AtSmsForm {}

/// A whole-number or decimal query parameter in a range; an empty (or blank) value counts as not
/// given, so the schema takes that too.
macro_rules! query_number {
    ($(#[$doc:meta])* $name:ident, $ty:expr, $min:expr, $max:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                utoipa::openapi::schema::AnyOfBuilder::new()
                    .item(
                        ObjectBuilder::new()
                            .schema_type($ty)
                            .minimum(Some($min))
                            .maximum(Some($max)),
                    )
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(concat!("^[", ws!(), "]*$"))),
                    )
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

query_number!(
    /// `limit` of the staff queue: 0–200 (0 counts as 1).
    QueueLimit, Type::Integer, 0_u64, 200_u64
);
query_number!(
    /// `offset` of the staff queue: 0–1,000,000.
    QueueOffset, Type::Integer, 0_u64, 1_000_000_u64
);
query_number!(
    /// `limit` of the inbox: 1–200.
    InboxLimit, Type::Integer, 1_u64, 200_u64
);
query_number!(
    /// Hotspot radius in metres: 10–5000.
    RadiusMetres, Type::Number, 10.0_f64, 5000.0_f64
);
query_number!(
    /// Hotspot minimum size: 2–1000.
    HotspotSize, Type::Integer, 2_u64, 1000_u64
);
query_number!(
    /// An evaluation window in days: 7–730.
    WindowDays, Type::Integer, 7_u64, 730_u64
);
query_number!(
    /// A bootstrap seed: any whole number 0–18446744073709551615.
    Seed, Type::Integer, 0_u64, u64::MAX
);
query_number!(
    /// Bootstrap resamples: 100–10000.
    Resamples, Type::Integer, 100_u64, 10_000_u64
);
query_number!(
    /// Open311 `max_requests`: 1–1000.
    MaxRequests, Type::Integer, 1_u64, 1000_u64
);

/// A day, `YYYY-MM-DD`, surrounding whitespace trimmed (`start`, `end` of an action).
fn day_pattern() -> String {
    format!(
        "^[{ws}]*[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[{ws}]*$",
        ws = ws!()
    )
}

fn action_start() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(day_pattern()))
        .description(Some("First day of the action, YYYY-MM-DD (a real day)"))
        .into()
}

fn action_end() -> Schema {
    nullable_string(
        day_pattern(),
        "Last day, YYYY-MM-DD (a real day, not before `start`); null or absent: still running",
    )
}

fn action_district() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(NOT_BLANK_PATTERN))
        .description(Some(
            "A pilot district by P-code or English name (`PK724`, `Larkana`)",
        ))
        .examples(["Larkana"])
        .into()
}

fn action_title() -> Schema {
    trimmed_text(3, 200, "3–200 characters once trimmed")
}

fn action_description() -> Schema {
    optional_at_most(4000, "At most 4000 characters once trimmed")
}

fn action_effect() -> Schema {
    optional_at_most(1000, "At most 1000 characters once trimmed")
}

/// The body of `POST /api/v1/actions` as the document states it; the handler reads it into
/// the domain's `ActionDraft`, whose catalogue rules (a pilot district, tehsils of that
/// district, existing services and SDG targets) JSON Schema cannot state and the field
/// descriptions say in words. Unknown fields are ignored.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ActionBody {
    #[schema(required = true, schema_with = action_title, example = "Night sewer-cleaning crew")]
    title: String,
    #[schema(required = true, schema_with = action_district)]
    district: String,
    /// Tehsil codes of that district, at least one (blanks are skipped, repeats count once).
    #[schema(required = true, min_items = 1)]
    tehsils: Vec<String>,
    /// Service codes concerned (each an existing service).
    #[schema(required = false)]
    services: Vec<String>,
    /// SDG targets concerned (each a target some service speaks to, e.g. `6.1`).
    #[schema(required = false)]
    sdg_targets: Vec<String>,
    #[schema(required = true, schema_with = action_start, example = "2026-06-01")]
    start: String,
    #[schema(required = false, schema_with = action_end)]
    end: Option<String>,
    #[schema(required = false, schema_with = action_description)]
    description: Option<String>,
    /// Budget in whole rupees.
    #[schema(required = false, minimum = 0)]
    budget_pkr: Option<i64>,
    #[schema(required = false, schema_with = action_effect)]
    expected_effect: Option<String>,
}
