//! Expression tapes: a body recorded as a straight list of operations
//! (SSA: each operation names earlier ones by index) instead of Rust code,
//! so that a function written elsewhere — a Python function run once on
//! tracers — becomes a body every backend runs.
//!
//! A [`Tape`] is evaluated by interpretation over any [`Real`](crate::Real):
//! one lane, a vector of any level, or a [`Trace`](crate::trace::Trace),
//! which turns it into WGSL for the GPU. It implements
//! [`ElementWise`](crate::function::ElementWise) (a map over N arrays),
//! [`Integrand`](crate::problems::midpoint::Integrand) (midpoint) and
//! [`IndexTerm`](crate::function::IndexTerm) (Σ term(i)), so it plugs into
//! the kernels a Rust body uses — and gives the bits the same Rust body
//! gives: each operation is the same `Real` call, in the same order, with
//! no operation fused or reordered (`x ** 2` is recorded as `x · x`, as a
//! Rust body writes it).

mod block;
mod body;
mod eval;
mod fuse;
mod kernels;

pub use block::{BLOCK_VECTORS, BlockScratch};
pub use kernels::{TapeMap, TapeSum};

use core::fmt;

/// An operation's index in its tape.
pub type Id = u32;

/// The most operations one tape holds: its values live on the stack while
/// it runs. A longer body is refused with [`TapeError::TooLong`].
pub const MAX_OPS: usize = 256;

/// The most inputs a tape takes.
pub const MAX_INPUTS: usize = 4;

/// One operation. Operands are the [`Id`]s of earlier operations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// Input `k` (an array element, `x` of an integrand, `i` of a term).
    Input(u8),
    /// A constant, converted to the lanes' precision as `R::from_f64` does.
    Const(f64),
    Add(Id, Id),
    Sub(Id, Id),
    Mul(Id, Id),
    Div(Id, Id),
    Neg(Id),
    Exp(Id),
    Ln(Id),
    Sqrt(Id),
    Sin(Id),
    Cos(Id),
    Abs(Id),
    Min(Id, Id),
    Max(Id, Id),
    /// Comparisons give masks, which only [`Op::Select`] takes.
    Lt(Id, Id),
    Le(Id, Id),
    Gt(Id, Id),
    Ge(Id, Id),
    Eq(Id, Id),
    /// `mask ? a : b`, lane by lane.
    Select(Id, Id, Id),
}

/// Whether an operation's value is a real or a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Real,
    Mask,
}

impl Op {
    /// The kind of value this operation gives.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Lt(..) | Self::Le(..) | Self::Gt(..) | Self::Ge(..) | Self::Eq(..) => Kind::Mask,
            _ => Kind::Real,
        }
    }

    /// The operands and the kind each must be.
    fn operands(&self) -> Vec<(Id, Kind)> {
        use Kind::{Mask, Real};
        match *self {
            Self::Input(_) | Self::Const(_) => vec![],
            Self::Neg(a)
            | Self::Exp(a)
            | Self::Ln(a)
            | Self::Sqrt(a)
            | Self::Sin(a)
            | Self::Cos(a)
            | Self::Abs(a) => vec![(a, Real)],
            Self::Add(a, b)
            | Self::Sub(a, b)
            | Self::Mul(a, b)
            | Self::Div(a, b)
            | Self::Min(a, b)
            | Self::Max(a, b)
            | Self::Lt(a, b)
            | Self::Le(a, b)
            | Self::Gt(a, b)
            | Self::Ge(a, b)
            | Self::Eq(a, b) => vec![(a, Real), (b, Real)],
            Self::Select(m, a, b) => vec![(m, Mask), (a, Real), (b, Real)],
        }
    }
}

/// A tape that cannot be built as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TapeError {
    #[error("a body takes 1 to {MAX_INPUTS} inputs, not {inputs}")]
    Inputs { inputs: usize },
    #[error("input {index} of a body of {inputs} inputs does not exist")]
    NoSuchInput { index: usize, inputs: usize },
    #[error(
        "the body has more than {MAX_OPS} operations: write a shorter function (or a Rust kernel)"
    )]
    TooLong,
    #[error("operation {op} refers to {operand}, which is not an earlier operation")]
    Dangling { op: usize, operand: Id },
    #[error(
        "operation {op} ({what}) takes a {wanted:?} where {operand} is a {got:?}: a comparison can only be the condition of where(cond, a, b)"
    )]
    WrongKind {
        op: usize,
        what: String,
        operand: Id,
        wanted: Kind,
        got: Kind,
    },
    #[error(
        "the body returns a comparison, not a number: return where(cond, a, b) to choose between two values"
    )]
    MaskResult,
}

/// A finished tape: its operations and which one is the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Tape {
    ops: Vec<Op>,
    inputs: usize,
    output: Id,
    /// How a block runs the operations ([`fuse`]).
    steps: Vec<fuse::Step>,
}

impl Tape {
    /// The operations, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// How many inputs the body takes.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The operation whose value is the result.
    pub fn output(&self) -> Id {
        self.output
    }
}

impl fmt::Display for Tape {
    /// One line per operation: `v3 = Mul(v1, v2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, op) in self.ops.iter().enumerate() {
            writeln!(f, "v{i} = {op:?}")?;
        }
        write!(f, "return v{}", self.output)
    }
}

/// Records a tape operation by operation, checking each.
#[derive(Debug, Clone)]
pub struct TapeBuilder {
    ops: Vec<Op>,
    inputs: usize,
}

impl TapeBuilder {
    /// A tape of `inputs` inputs (1 to [`MAX_INPUTS`]).
    ///
    /// # Errors
    /// [`TapeError::Inputs`] outside that range.
    pub fn new(inputs: usize) -> Result<Self, TapeError> {
        if !(1..=MAX_INPUTS).contains(&inputs) {
            return Err(TapeError::Inputs { inputs });
        }
        Ok(Self {
            ops: Vec::new(),
            inputs,
        })
    }

    /// Appends `op` and returns its id.
    ///
    /// # Errors
    /// [`TapeError::TooLong`], [`TapeError::NoSuchInput`],
    /// [`TapeError::Dangling`] or [`TapeError::WrongKind`]; the tape is
    /// unchanged then.
    pub fn push(&mut self, op: Op) -> Result<Id, TapeError> {
        if self.ops.len() >= MAX_OPS {
            return Err(TapeError::TooLong);
        }
        if let Op::Input(k) = op
            && usize::from(k) >= self.inputs
        {
            return Err(TapeError::NoSuchInput {
                index: usize::from(k),
                inputs: self.inputs,
            });
        }
        let at = self.ops.len();
        for (operand, wanted) in op.operands() {
            let Some(earlier) = self.ops.get(operand as usize) else {
                return Err(TapeError::Dangling { op: at, operand });
            };
            if earlier.kind() != wanted {
                return Err(TapeError::WrongKind {
                    op: at,
                    what: format!("{op:?}"),
                    operand,
                    wanted,
                    got: earlier.kind(),
                });
            }
        }
        self.ops.push(op);
        Ok(at as Id)
    }

    /// The kind of the value of `id`, if it exists.
    pub fn kind(&self, id: Id) -> Option<Kind> {
        self.ops.get(id as usize).map(Op::kind)
    }

    /// The tape, returning `output`.
    ///
    /// # Errors
    /// [`TapeError::Dangling`] for an output that is not an operation,
    /// [`TapeError::MaskResult`] for a comparison.
    pub fn finish(self, output: Id) -> Result<Tape, TapeError> {
        match self.kind(output) {
            None => Err(TapeError::Dangling {
                op: self.ops.len(),
                operand: output,
            }),
            Some(Kind::Mask) => Err(TapeError::MaskResult),
            Some(Kind::Real) => Ok(Tape {
                steps: fuse::plan(&self.ops, output),
                ops: self.ops,
                inputs: self.inputs,
                output,
            }),
        }
    }
}
