//! Audit verification, witness, replay and bundles: real chains built through the node API,
//! damaged in the redb file or in an exported bundle, and the exact detection asserted.

mod audit {
    pub(crate) mod bundle;
    pub(crate) mod fixture;
    pub(crate) mod prop;
    pub(crate) mod replay;
    pub(crate) mod tamper;
    pub(crate) mod witness;
}
