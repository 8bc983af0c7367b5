//! End-to-end tests of running a node over time (issue 12), with real processes: officer
//! accounts (disable, passwd, reset) refused by the CLI and the console and travelling to the
//! hub; backup of a serving node and restore elsewhere; `doctor`; a catalog version published at
//! the hub and taken by a commune.

mod ops {
    pub(crate) mod accounts;
    pub(crate) mod backup;
    pub(crate) mod catalog;
    pub(crate) mod doctor;
    pub(crate) mod rebuild;
    pub(crate) mod restore;
    pub(crate) mod support;
}
