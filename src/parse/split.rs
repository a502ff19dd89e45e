//! A psql-aware statement splitter.
