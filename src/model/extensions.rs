//! Stage 3 (model): what well-known extensions outside contrib create without a migration
//! showing it, written by hand (`pgfunc.rs` is generated from PostgreSQL's own catalog and
//! knows contrib only). Read by the replay's relation and schema lookups.

use super::pgfunc;

/// The functions contrib extension `name` creates; `None` when `name` is not one of
/// contrib's (its contents are then not known, unless [`SCHEMAS`] lists it).
#[must_use]
pub fn contrib_functions(name: &str) -> Option<&'static [&'static str]> {
    let i = pgfunc::EXTENSIONS
        .binary_search_by(|(e, _)| (*e).cmp(name))
        .ok()?;
    pgfunc::EXTENSIONS.get(i).map(|(_, functions)| *functions)
}

/// The schemas well-known extension `name` creates; `None` when [`SCHEMAS`] does not list it.
#[must_use]
pub fn schemas(name: &str) -> Option<&'static [&'static str]> {
    let i = SCHEMAS.binary_search_by(|(e, _)| (*e).cmp(name)).ok()?;
    SCHEMAS.get(i).map(|(_, schemas)| *schemas)
}

/// Well-known extensions outside contrib (sorted) with the schemas they create (their tables,
/// views and functions live there): after one of them, only these schemas may hold objects
/// no migration created. Another extension outside contrib may create any schema.
pub const SCHEMAS: &[(&str, &[&str])] = &[
    ("age", &["ag_catalog"]),
    ("pg_cron", &["cron"]),
    ("pg_graphql", &["graphql"]),
    ("pg_net", &["net"]),
    ("pgmq", &["pgmq"]),
    ("pgsodium", &["pgsodium", "pgsodium_masks"]),
    ("postgis", &[]),
    ("postgis_raster", &[]),
    ("postgis_tiger_geocoder", &["tiger", "tiger_data"]),
    ("postgis_topology", &["topology"]),
    ("supabase_vault", &["vault"]),
    (
        "timescaledb",
        &[
            "_timescaledb_cache",
            "_timescaledb_catalog",
            "_timescaledb_config",
            "_timescaledb_functions",
            "_timescaledb_internal",
            "timescaledb_experimental",
            "timescaledb_information",
        ],
    ),
    ("vector", &[]),
];

/// Relations well-known extensions (sorted) create in the schema they are installed in
/// (sorted): PostGIS's `spatial_ref_sys`, usually in `public`.
pub const RELATIONS: &[(&str, &[&str])] = &[
    (
        "postgis",
        &["geography_columns", "geometry_columns", "spatial_ref_sys"],
    ),
    ("postgis_raster", &["raster_columns", "raster_overviews"]),
];

#[cfg(test)]
mod tests {
    /// The lookups search by binary search and `contains`.
    #[test]
    fn sorted() {
        assert!(super::SCHEMAS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(super::RELATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
