//! The discrete-event kernel (to be written).
