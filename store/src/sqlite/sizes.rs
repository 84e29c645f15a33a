//! Multi-row statements in a few fixed sizes. SQLite parses and plans every statement text it
//! has not kept, and a batch of n rows written as one statement of n rows made a new text for
//! nearly every batch: the writer's statement cache never hit, and parsing took a tenth of the
//! simulator's SQLite time late in a year (BENCHMARKS.md, "The simulator: statements in fixed
//! sizes"). So every list of rows is padded with NULL rows to the next power of two: in a list
//! that selects rows (`id IN (…)`, the `v` of `UPDATE … FROM v`) a NULL matches nothing, and an
//! `INSERT` selects its rows from the padded list without them (`push_padded_insert`). A kind of
//! statement then has at most ten texts.

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite};

/// How many rows a list of `n` is padded to: the next power of two, at most `max`; an empty
/// list, or one of `max` or more (not cut into chunks), is left as it is.
pub(super) fn padded_len(n: usize, max: usize) -> usize {
    if n == 0 || n >= max {
        n
    } else {
        n.next_power_of_two().min(max)
    }
}

/// `rows` followed by `None`s up to `padded_len(rows.len(), max)`.
pub(super) fn padded<T>(rows: &[T], max: usize) -> impl Iterator<Item = Option<&T>> {
    let pad = padded_len(rows.len(), max) - rows.len();
    rows.iter().map(Some).chain(std::iter::repeat_n(None, pad))
}

/// `push_values` of `rows` padded to their fixed size: `bind` binds each real row, and each
/// padding row binds `columns` NULLs (a list that selects rows: `id IN`, `UPDATE … FROM v`).
pub(super) fn push_padded<'r, 'args, T>(
    b: &mut QueryBuilder<'args, Sqlite>,
    rows: &'r [T],
    max: usize,
    columns: usize,
    mut bind: impl FnMut(&mut Separated<'_, 'args, Sqlite, &'static str>, &'r T),
) {
    b.push_values(padded(rows, max), |mut row, item| match item {
        Some(item) => bind(&mut row, item),
        None => {
            for _ in 0..columns {
                row.push_bind(None::<i64>);
            }
        }
    });
}

/// `push_padded` for an `INSERT`, after its column list: the rows are selected from the padded
/// list without the NULL rows. The first column must be one whose value is never NULL in a
/// real row (bound from a Rust value that is not an `Option`).
pub(super) fn push_padded_insert<'r, 'args, T>(
    b: &mut QueryBuilder<'args, Sqlite>,
    rows: &'r [T],
    max: usize,
    columns: usize,
    bind: impl FnMut(&mut Separated<'_, 'args, Sqlite, &'static str>, &'r T),
) {
    b.push(" SELECT * FROM (");
    push_padded(b, rows, max, columns, bind);
    b.push(") WHERE column1 IS NOT NULL");
}

/// Binds `ids` and then NULLs up to the padded length, into an `IN (…)` list.
pub(super) fn push_ids(sep: &mut Separated<'_, '_, Sqlite, &'static str>, ids: &[i64], max: usize) {
    for id in padded(ids, max) {
        sep.push_bind(id.copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_is_padded_to_the_next_power_of_two_and_a_full_one_is_not() {
        assert_eq!(padded_len(0, 400), 0);
        assert_eq!(padded_len(1, 400), 1);
        assert_eq!(padded_len(5, 400), 8);
        assert_eq!(padded_len(256, 400), 256);
        assert_eq!(padded_len(257, 400), 400);
        assert_eq!(padded_len(400, 400), 400);
        assert_eq!(padded_len(700, 400), 700);
        let rows = [1, 2, 3];
        let p: Vec<Option<&i32>> = padded(&rows, 400).collect();
        assert_eq!(p, vec![Some(&1), Some(&2), Some(&3), None]);
    }

    #[test]
    fn every_batch_of_up_to_a_thousand_rows_cut_at_400_takes_one_of_ten_sizes() {
        let rows: Vec<u32> = (0..1000).collect();
        let mut sizes = std::collections::BTreeSet::new();
        for n in 1..=1000 {
            for chunk in rows[..n].chunks(400) {
                sizes.insert(padded(chunk, 400).count());
            }
        }
        // 1, 2, 4, …, 256 and 400.
        assert_eq!(sizes.len(), 10, "{sizes:?}");
    }
}
