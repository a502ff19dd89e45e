//! The one integration-test binary (ripgrep style): each module below is a group of tests;
//! `pg` is the shared PostgreSQL harness other modules use as a library.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
mod cli;
mod comparisons;
mod differential;
mod docs;
mod fuzz;
mod judge;
mod model_vs_pg;
mod order;
pub mod pg;
mod render;
mod robustness;
mod rules;
mod startup;
