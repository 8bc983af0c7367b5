//! Audit verification, witness, replay and bundles: real chains built through the node API,
//! damaged in the redb file or in an exported bundle, and the exact detection asserted.

mod audit {
    pub mod bundle;
    pub mod fixture;
    pub mod prop;
    pub mod replay;
    pub mod tamper;
    pub mod witness;
}
