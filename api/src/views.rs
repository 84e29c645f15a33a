//! The shapes the API answers with that more than one resource shares: a request as the
//! public may see it (no personal data), its public history, and photos as the public and as
//! staff see them.

use chrono::{DateTime, Utc};
use sahulat_domain::catalogue::Catalogue;
use sahulat_domain::effects::{default_history_lang, history_text};
use sahulat_domain::lang::Lang;
use sahulat_domain::request::{RequestUpdate, ServiceRequest};
use sahulat_domain::status::Status;
use sahulat_store::Photo;
use serde::Serialize;
use utoipa::ToSchema;

/// A public history entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateView {
    /// Status after this step.
    pub status: String,
    /// What happened.
    pub description: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A request as the public may see it (no personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    /// Nine-digit reference.
    pub reference: String,
    /// Service code.
    pub service_code: String,
    /// Service name in the request's language.
    pub service_name: String,
    /// Description (absent when rejected as spam or abuse, or hidden by a coordinator because
    /// it names a private person).
    pub description: Option<String>,
    /// The description is withheld from the public.
    pub description_hidden: bool,
    /// Lifecycle status.
    pub status: String,
    /// `open` or `closed`.
    pub open311_status: String,
    /// Priority.
    pub priority: String,
    /// Latitude (absent when rejected).
    pub lat: Option<f64>,
    /// Longitude (absent when rejected).
    pub lon: Option<f64>,
    /// Address/landmark (absent when rejected).
    pub address: Option<String>,
    /// Province P-code.
    pub province: String,
    /// District P-code.
    pub district: String,
    /// District name.
    pub district_name: String,
    /// Tehsil code.
    pub tehsil: Option<String>,
    /// Tehsil name.
    pub tehsil_name: Option<String>,
    /// Responsible department, once routed.
    pub department: Option<String>,
    /// Channel it arrived by.
    pub channel: String,
    /// The report's language (names and history are shown in `?lang=`, else this one).
    pub language: String,
    /// Answers to service questions.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    /// Open311 token.
    pub token: String,
    /// Due time, once triaged.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Received.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Public history (only on single-request reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<Vec<UpdateView>>,
    /// Photos, except those staff hid (only on single-request reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<PhotoView>>,
}

/// The public view of `r`, names in `lang` (or the report's) and the history in `lang` (or as
/// written, response templates in the citizen's language). A request rejected as spam or
/// abuse shows neither its description, its address nor its place; a description a
/// coordinator hid is left out too.
pub(crate) fn view(
    cat: &Catalogue,
    r: &ServiceRequest,
    updates: Option<Vec<RequestUpdate>>,
    asked: Option<Lang>,
) -> RequestView {
    let lang = asked.unwrap_or(r.language);
    let rejected = r.status == Status::Rejected;
    RequestView {
        reference: r.reference.clone(),
        service_code: r.service_code.clone(),
        service_name: cat
            .service(&r.service_code)
            .map(|s| s.names.get(lang).to_string())
            .unwrap_or_default(),
        description: r.public_text().map(str::to_string),
        description_hidden: r.public_text().is_none(),
        status: r.status.as_str().into(),
        open311_status: r.status.open311().into(),
        priority: r.priority.as_str().into(),
        lat: r.lat.filter(|_| !rejected),
        lon: r.lon.filter(|_| !rejected),
        address: r.address.clone().filter(|_| !rejected),
        province: r.province.clone(),
        district: r.district.clone(),
        district_name: cat
            .district(&r.district)
            .map(|d| d.names.get(lang).to_string())
            .unwrap_or_default(),
        tehsil: r.tehsil.clone(),
        tehsil_name: r
            .tehsil
            .as_deref()
            .and_then(|t| cat.tehsil(t))
            .map(|t| t.names.get(lang).to_string()),
        department: r
            .department
            .as_deref()
            .and_then(|d| cat.department(d))
            .map(|d| d.names.get(lang).to_string()),
        channel: r.channel.as_str().into(),
        language: r.language.code().into(),
        attributes: r.attributes.clone(),
        token: r.token.clone(),
        sla_due_at: r.sla_due_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        updates: updates.map(|us| {
            us.into_iter()
                .map(|u| UpdateView {
                    status: u.status.as_str().into(),
                    description: history_text(
                        cat,
                        asked.unwrap_or_else(|| {
                            default_history_lang(u.message.as_ref(), r.language)
                        }),
                        &u.description,
                        u.message.as_ref(),
                    ),
                    at: u.created_at,
                })
                .collect()
        }),
        photos: None,
    }
}

/// A photo as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    /// The picture (at most 1600 px on its longest side).
    pub url: String,
    /// A small version (320 px).
    pub thumbnail_url: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `report` (the citizen's) or `staff` (for example of the repair).
    pub kind: String,
    /// Added.
    pub created_at: DateTime<Utc>,
}

/// A photo as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPhotoView {
    /// Row id (for hiding).
    pub id: i64,
    /// The public view.
    #[serde(flatten)]
    pub photo: PhotoView,
    /// Hidden from the public.
    pub hidden: bool,
    /// `citizen` or a username.
    pub uploaded_by: String,
}

pub(crate) fn photo_files(file: &str) -> (String, String) {
    (format!("{file}.jpg"), format!("{file}_t.jpg"))
}

/// The public view of a photo; `base` is `/media` or `/staff/media`.
pub(crate) fn public_view(p: &Photo, base: &str) -> PhotoView {
    let (big, small) = photo_files(&p.file);
    PhotoView {
        url: format!("{base}/{big}"),
        thumbnail_url: format!("{base}/{small}"),
        width: p.width,
        height: p.height,
        kind: p.kind.as_str().into(),
        created_at: p.created_at,
    }
}

/// The staff view (served under `/staff/media`, which checks the viewer may see the ticket).
pub(crate) fn staff_view(p: &Photo) -> StaffPhotoView {
    StaffPhotoView {
        id: p.id,
        photo: public_view(p, "/staff/media"),
        hidden: p.hidden,
        uploaded_by: p.uploaded_by.clone(),
    }
}
