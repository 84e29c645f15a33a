//! Census populations of the pilot districts and tehsils (`fixtures/population.csv`,
//! `fixtures/population_tehsils.csv`), for "requests per 10,000 residents". A place with no
//! figure, or whose census unit does not match its boundary polygon, has no rate: unknown stays
//! unknown, never zero.

use crate::catalogue::Catalogue;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::HashMap;

/// One census count of one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Census year (2017 or 2023).
    pub year: u16,
    /// Residents counted.
    pub population: u64,
    /// Whether the census unit is the place Sahulat draws (false: a rate would mislead).
    pub comparable: bool,
    /// Where the figure comes from, as cited in reports.
    pub source: String,
}

/// Census figures by district and tehsil code.
#[derive(Debug, Clone, Default)]
pub struct Population {
    districts: HashMap<String, Vec<Figure>>,
    tehsils: HashMap<String, Vec<Figure>>,
}

#[derive(Deserialize)]
struct DistrictRow {
    district: String,
    census_year: u16,
    population: u64,
    source: String,
}

#[derive(Deserialize)]
struct TehsilRow {
    district: String,
    tehsil: String,
    census_year: u16,
    population: u64,
    comparable: String,
    source: String,
}

impl Population {
    /// Reads both files, matching district and tehsil names to the catalogue's codes; a name
    /// the catalogue does not know stops start-up with the file and row named.
    pub fn parse(districts_csv: &str, tehsils_csv: &str, cat: &Catalogue) -> anyhow::Result<Self> {
        let district_code = |name: &str| {
            cat.districts
                .iter()
                .find(|d| d.names.en.eq_ignore_ascii_case(name))
                .map(|d| d.code.clone())
        };
        let mut out = Population::default();
        let mut r = csv::Reader::from_reader(districts_csv.as_bytes());
        for (i, row) in r.deserialize::<DistrictRow>().enumerate() {
            let row = row.with_context(|| format!("population.csv row {}", i + 2))?;
            let Some(code) = district_code(&row.district) else {
                bail!(
                    "population.csv row {}: unknown district {:?}",
                    i + 2,
                    row.district
                );
            };
            out.districts.entry(code).or_default().push(Figure {
                year: row.census_year,
                population: row.population,
                comparable: true,
                source: row.source,
            });
        }
        let mut r = csv::Reader::from_reader(tehsils_csv.as_bytes());
        for (i, row) in r.deserialize::<TehsilRow>().enumerate() {
            let row = row.with_context(|| format!("population_tehsils.csv row {}", i + 2))?;
            let line = i + 2;
            let Some(district) = district_code(&row.district) else {
                bail!(
                    "population_tehsils.csv row {line}: unknown district {:?}",
                    row.district
                );
            };
            let Some(tehsil) = cat
                .tehsils
                .iter()
                .find(|t| t.district == district && t.names.en.eq_ignore_ascii_case(&row.tehsil))
            else {
                bail!(
                    "population_tehsils.csv row {line}: no tehsil {:?} in {}",
                    row.tehsil,
                    row.district
                );
            };
            let comparable = match row.comparable.as_str() {
                "yes" => true,
                "no" => false,
                other => bail!(
                    "population_tehsils.csv row {line}: comparable is {other:?}; accepted: yes, no"
                ),
            };
            out.tehsils
                .entry(tehsil.code.clone())
                .or_default()
                .push(Figure {
                    year: row.census_year,
                    population: row.population,
                    comparable,
                    source: row.source,
                });
        }
        for figs in out.districts.values_mut().chain(out.tehsils.values_mut()) {
            figs.sort_by_key(|f| f.year);
        }
        Ok(out)
    }

    /// The latest census figure of a district, if any.
    pub fn district(&self, code: &str) -> Option<&Figure> {
        self.districts.get(code).and_then(|v| v.last())
    }

    /// The latest census figure of a tehsil, if any (check `comparable` before dividing).
    pub fn tehsil(&self, code: &str) -> Option<&Figure> {
        self.tehsils.get(code).and_then(|v| v.last())
    }

    /// The residents a rate may be divided by: the latest comparable figure of the tehsil when
    /// one is given, else of the district; `None` when unknown or not comparable.
    pub fn residents(&self, district: Option<&str>, tehsil: Option<&str>) -> Option<&Figure> {
        match tehsil {
            Some(t) => self.tehsil(t).filter(|f| f.comparable),
            None => district.and_then(|d| self.district(d)),
        }
    }

    /// Every figure (district code or tehsil code, figure), for reports' source lists.
    pub fn all(&self) -> impl Iterator<Item = (&str, &Figure)> {
        self.districts
            .iter()
            .chain(self.tehsils.iter())
            .flat_map(|(c, v)| v.iter().map(move |f| (c.as_str(), f)))
    }
}

/// Requests per 10,000 residents, or `None` when the population is unknown.
pub fn per_10k(requests: u64, residents: Option<&Figure>) -> Option<f64> {
    residents
        .filter(|f| f.population > 0)
        .map(|f| requests as f64 * 10_000.0 / f.population as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{population, reference};

    #[test]
    fn the_fixtures_give_every_pilot_district_and_tehsil_a_2023_figure() {
        let (cat, _, _) = reference();
        let pop = population();
        for d in crate::catalogue::PILOT_DISTRICTS {
            assert_eq!(pop.district(d).map(|f| f.year), Some(2023), "{d}");
        }
        for t in &cat.tehsils {
            assert_eq!(
                pop.tehsil(&t.code).map(|f| f.year),
                Some(2023),
                "{}",
                t.code
            );
        }
        assert_eq!(pop.district("PK226").map(|f| f.population), Some(2_595_492));
        assert_eq!(pop.district("PK713").map(|f| f.population), Some(1_784_453));
    }

    #[test]
    fn quetta_city_has_no_rate_because_its_census_unit_is_not_its_polygon() {
        let pop = population();
        assert!(pop.residents(Some("PK226"), Some("PK22602")).is_none());
        assert!(pop.residents(Some("PK226"), Some("PK22603")).is_none());
        assert!(pop.residents(Some("PK226"), Some("PK22601")).is_some());
        assert!(pop.residents(Some("PK226"), None).is_some());
    }

    #[test]
    fn a_rate_is_per_ten_thousand_residents_and_unknown_without_a_population() {
        let f = Figure {
            year: 2023,
            population: 50_000,
            comparable: true,
            source: String::new(),
        };
        assert_eq!(per_10k(25, Some(&f)), Some(5.0));
        assert_eq!(per_10k(25, None), None);
        assert_eq!(per_10k(0, Some(&f)), Some(0.0));
    }

    #[test]
    fn an_unknown_tehsil_name_stops_loading_with_the_row_named() {
        let (cat, _, _) = reference();
        let bad = "province,district,tehsil,census_year,population,comparable,source\n\
                   Sindh,Larkana,Atlantis,2023,5,yes,x\n";
        let e = Population::parse(
            "province,district,census_year,population,source\n",
            bad,
            cat,
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("row 2"), "{e:#}");
        assert!(format!("{e:#}").contains("Atlantis"), "{e:#}");
    }
}
