//! How numbers arrive in JSON bodies: a whole number may be written `5` or `5.0` (JSON does not
//! tell them apart, and an OpenAPI `integer` accepts both), so the fields that take one read
//! both. Shared by the API's bodies and the domain's drafts.

/// Deserializes a whole number given as `5` or `5.0` (JSON does not tell them apart, and the
/// OpenAPI document's `integer` accepts both).
pub fn whole_number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i128>,
{
    use serde::de::Error as _;
    use serde::Deserialize as _;
    let n = serde_json::Number::deserialize(d)?;
    let whole = if let Some(i) = n.as_i64() {
        Some(i128::from(i))
    } else if let Some(u) = n.as_u64() {
        Some(i128::from(u))
    } else {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e30)
            .map(|f| f as i128)
    };
    whole
        .and_then(|w| T::try_from(w).ok())
        .ok_or_else(|| D::Error::custom(format!("{n} is not a whole number in range")))
}

/// [`whole_number`] for an optional field.
pub fn optional_whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i128>,
{
    use serde::Deserialize as _;
    #[derive(serde::Deserialize)]
    struct Wrap<T: TryFrom<i128>>(#[serde(deserialize_with = "whole_number")] T);
    Option::<Wrap<T>>::deserialize(d).map(|o| o.map(|w| w.0))
}
