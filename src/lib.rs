//! ogel-schema: static analysis of a PostgreSQL migration history.
//!
//! The pipeline flows one way: [`source`] discovers migration files and orders them →
//! [`parse`] splits each file into statements with exact byte spans and parses each with
//! sqlparser (a failure is a diagnostic, never an abort) → [`model`] lowers the AST into our
//! own vocabulary (only `model::lower` touches sqlparser's AST) and replays it into a catalog
//! with provenance → [`graph`] builds a petgraph view → [`rules`] turn the model into findings →
//! [`report`] and [`render`] write them out. [`analyze`] runs the whole pipeline.

pub mod app;
pub mod cli;
pub mod graph;
pub mod model;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
pub mod diag;
pub mod span;
