//! Portable seeded random streams (to be written).
