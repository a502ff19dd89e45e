//! Stage 3 (model), replay of `GRANT` and `REVOKE` with PostgreSQL's checks on what they name
//! (`objectNamesToOids` and `ExecGrant_Relation` in `aclchk.c`): every schema and relation must
//! exist, and every column of a column privilege. Roles are not modelled, so grantees are not
//! checked; privileges change nothing in the model.

use super::Replayer;
use crate::model::ir::{ColName, ObjName};
use crate::model::{ObjectKey, RefContext};

impl Replayer<'_> {
    /// `GRANT` / `REVOKE ... ON` `relations` (with `columns`) or `schemas`. PostgreSQL stops at
    /// the first name it cannot find, so at most one error is reported.
    pub(super) fn privileges(
        &mut self,
        relations: &[ObjName],
        columns: &[ColName],
        schemas: &[ObjName],
    ) {
        for schema in schemas {
            if !self.need_schema(&schema.name, schema.span) {
                return;
            }
        }
        let mut tables = Vec::new();
        for name in relations {
            if name.schema.is_none() && self.temp_tables.contains(&name.name) {
                continue;
            }
            let Some(qn) = self.lookup_pg_class(name) else {
                if !self.unknowable(name) {
                    let problem =
                        self.missing_relation(self.default_name(name), name, RefContext::Grant);
                    self.error(problem, name.span);
                }
                return;
            };
            if let Some(t) = self.cat.tables.get(&qn) {
                let defined = Some(t.origin);
                self.use_of(ObjectKey::Relation { name: qn.clone() }, name.span, defined);
                tables.push(qn);
            } else if let Some(s) = self.cat.sequences.get(&qn) {
                let defined = Some(s.origin);
                self.use_of(ObjectKey::Sequence { name: qn }, name.span, defined);
            }
        }
        for table in &tables {
            for column in columns {
                if !self.need_column(table, column, RefContext::Grant) {
                    return;
                }
            }
        }
    }
}
