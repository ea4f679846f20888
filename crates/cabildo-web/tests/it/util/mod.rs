//! What the tests share, in one place: no test file imports another's
//! helpers.

pub mod app;
pub mod browser;
pub mod fixtures;
pub mod jobs;
pub mod upload;
pub mod world;

pub use app::*;
pub use browser::*;
pub use fixtures::*;
pub use jobs::*;
pub use upload::*;
pub use world::*;
