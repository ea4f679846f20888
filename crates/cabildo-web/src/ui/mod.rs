//! The bottom layer of the pages: strings and languages, the chrome
//! around every council page, message pages, forms, pagination, process
//! tabs, and how numbers, money and dates read. It imports no other
//! module of this crate.

pub mod charts;
pub mod chrome;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod map;
pub mod message;
pub mod pagination;
pub mod pdf;
pub mod qr;
pub mod tabs;
