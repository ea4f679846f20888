//! Participatory budgets (issue 6, begun): reading Pabulib files, the
//! research community's open format, and computing results. Everything
//! here is pure (no database) so that results can be checked against the
//! reference outcomes of real elections.

pub mod pabulib;
pub mod results;
