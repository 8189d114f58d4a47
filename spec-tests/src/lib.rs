//! spec tests
