//! One module per screen or overlay. Each holds its state, its key handling (`on_key`, which only
//! mutates state and returns effects), its rendering (`render`) and its key list (`keys`).

pub mod audit_view;
pub mod auditor;
pub mod case_actions;
pub mod case_form;
pub mod detail;
pub mod help;
pub mod list;
pub mod login;
pub mod new_case;
pub mod palette;
pub mod province;
pub mod province_cases;
pub mod sync_panel;
