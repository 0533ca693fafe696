//! Tracers: what a user's Python function receives instead of numbers when
//! hetero traces it. Each operator and each `hetero.exp`-style function on
//! a tracer appends one operation to the tape being recorded; Python
//! numbers become constants. What a straight-line body cannot do — branch
//! on a traced value, hand it to numpy — raises `TypeError` saying what to
//! write instead.

use std::sync::{Arc, Mutex, PoisonError};

use hetero::kernel::tape::{Id, Kind, Op, Tape, TapeBuilder};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyTuple};

/// The most an integer power may be: `x ** n` is recorded as n − 1
/// multiplications.
const MAX_POWER: i64 = 64;

/// A trace in progress: the tape so far.
pub struct Recording {
    builder: Mutex<TapeBuilder>,
}

impl Recording {
    fn push(&self, op: Op) -> PyResult<Id> {
        self.builder
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(op)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn kind(&self, id: Id) -> Option<Kind> {
        self.builder
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .kind(id)
    }
}

/// A value inside a function hetero is tracing. It supports `+ - * /`,
/// unary `-`, `abs()`, `** n` for a whole number n, the comparisons
/// `< <= > >= ==` (whose results only `hetero.where` takes), and
/// `hetero.exp, log, sqrt, sin, cos, abs, minimum, maximum, where`.
#[pyclass(module = "hetero", frozen)]
pub struct Tracer {
    recording: Arc<Recording>,
    id: Id,
}

/// An operand: a value of the trace, or a constant.
enum Operand {
    Traced(Arc<Recording>, Id),
    Number(f64),
}

fn operand(value: &Bound<'_, PyAny>) -> PyResult<Operand> {
    if let Ok(t) = value.cast::<Tracer>() {
        let t = t.get();
        return Ok(Operand::Traced(Arc::clone(&t.recording), t.id));
    }
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "a bool inside a traced function: use 1.0 / 0.0, or hetero.where(cond, a, b)",
        ));
    }
    match value.extract::<f64>() {
        Ok(v) => Ok(Operand::Number(v)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "a traced function can combine its arguments with numbers only, not {}: pass arrays as arguments of the function",
            value
                .get_type()
                .name()
                .map_or_else(|_| "this value".into(), |n| n.to_string())
        ))),
    }
}

impl Tracer {
    pub fn new(recording: Arc<Recording>, id: Id) -> Self {
        Self { recording, id }
    }

    /// `value` as an id of this trace (a number becomes a constant).
    fn id_of(recording: &Arc<Recording>, value: Operand) -> PyResult<Id> {
        match value {
            Operand::Number(v) => recording.push(Op::Const(v)),
            Operand::Traced(r, id) if Arc::ptr_eq(&r, recording) => Ok(id),
            Operand::Traced(..) => Err(PyTypeError::new_err(
                "a traced value from another function's trace: each traced function uses its own arguments only",
            )),
        }
    }

    fn binary(&self, make: fn(Id, Id) -> Op, left: Operand, right: Operand) -> PyResult<Self> {
        let a = Self::id_of(&self.recording, left)?;
        let b = Self::id_of(&self.recording, right)?;
        let id = self.recording.push(make(a, b))?;
        Ok(Self::new(Arc::clone(&self.recording), id))
    }

    fn mine(&self) -> Operand {
        Operand::Traced(Arc::clone(&self.recording), self.id)
    }

    fn unary(&self, make: fn(Id) -> Op) -> PyResult<Self> {
        let id = self.recording.push(make(self.id))?;
        Ok(Self::new(Arc::clone(&self.recording), id))
    }

    fn is_mask(&self) -> bool {
        self.recording.kind(self.id) == Some(Kind::Mask)
    }

    /// The kind of this value (a number or a comparison).
    pub fn kind(&self) -> Option<Kind> {
        self.recording.kind(self.id)
    }

    /// `make(self)`, for `hetero.exp` and friends.
    pub fn apply(&self, make: fn(Id) -> Op) -> PyResult<Self> {
        self.unary(make)
    }

    /// `make(self, other)`, or `make(other, self)` when `swapped`.
    pub fn apply2(
        &self,
        make: fn(Id, Id) -> Op,
        other: &Bound<'_, PyAny>,
        swapped: bool,
    ) -> PyResult<Self> {
        let other = operand(other)?;
        match swapped {
            false => self.binary(make, self.mine(), other),
            true => self.binary(make, other, self.mine()),
        }
    }

    /// `a` where this comparison holds, else `b`.
    pub fn select(&self, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Self> {
        let a = Self::id_of(&self.recording, operand(a)?)?;
        let b = Self::id_of(&self.recording, operand(b)?)?;
        let id = self.recording.push(Op::Select(self.id, a, b))?;
        Ok(Self::new(Arc::clone(&self.recording), id))
    }
}

#[pymethods]
impl Tracer {
    fn __add__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Add, self.mine(), operand(other)?)
    }
    fn __radd__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Add, operand(other)?, self.mine())
    }
    fn __sub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Sub, self.mine(), operand(other)?)
    }
    fn __rsub__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Sub, operand(other)?, self.mine())
    }
    fn __mul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Mul, self.mine(), operand(other)?)
    }
    fn __rmul__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Mul, operand(other)?, self.mine())
    }
    fn __truediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Div, self.mine(), operand(other)?)
    }
    fn __rtruediv__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.binary(Op::Div, operand(other)?, self.mine())
    }
    fn __neg__(&self) -> PyResult<Self> {
        self.unary(Op::Neg)
    }
    fn __pos__(&self) -> Self {
        Self::new(Arc::clone(&self.recording), self.id)
    }
    fn __abs__(&self) -> PyResult<Self> {
        self.unary(Op::Abs)
    }

    /// `x ** n` for a whole number n: x · x · … left to right (1/… for
    /// n < 0), as a Rust body writes it.
    fn __pow__(
        &self,
        exponent: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if modulo.is_some_and(|m| !m.is_none()) {
            return Err(PyTypeError::new_err("pow(x, n, mod) has no traced form"));
        }
        let n = exponent
            .extract::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && n.abs() <= MAX_POWER as f64)
            .ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "x ** n on a traced value needs a whole number n from -{MAX_POWER} to {MAX_POWER}: for a root write hetero.sqrt(x), for any other power hetero.exp(p * hetero.log(x))"
                ))
            })? as i64;
        if n == 0 {
            let one = self.recording.push(Op::Const(1.0))?;
            return Ok(Self::new(Arc::clone(&self.recording), one));
        }
        let mut power = self.id;
        for _ in 1..n.abs() {
            power = self.recording.push(Op::Mul(power, self.id))?;
        }
        if n < 0 {
            let one = self.recording.push(Op::Const(1.0))?;
            power = self.recording.push(Op::Div(one, power))?;
        }
        Ok(Self::new(Arc::clone(&self.recording), power))
    }

    fn __rpow__(
        &self,
        _base: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Err(PyTypeError::new_err(
            "a number raised to a traced power: write hetero.exp(x * hetero.log(base))",
        ))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: pyo3::basic::CompareOp) -> PyResult<Self> {
        use pyo3::basic::CompareOp::{Eq, Ge, Gt, Le, Lt, Ne};
        let make: fn(Id, Id) -> Op = match op {
            Lt => Op::Lt,
            Le => Op::Le,
            Gt => Op::Gt,
            Ge => Op::Ge,
            Eq => Op::Eq,
            Ne => {
                return Err(PyTypeError::new_err(
                    "!= on traced values: write hetero.where(a == b, if_equal, if_not) with the branches swapped",
                ));
            }
        };
        self.binary(make, self.mine(), operand(other)?)
    }

    fn __bool__(&self) -> PyResult<bool> {
        Err(PyTypeError::new_err(
            "a traced value has no truth value, so `if`, `while`, `and`, `or` and `not` cannot look at it: choose between two values with hetero.where(cond, a, b)",
        ))
    }

    fn __float__(&self) -> PyResult<f64> {
        Err(PyTypeError::new_err(
            "a traced value is not a number yet (float(), int(), math.* cannot see it): use hetero.exp, hetero.log, hetero.sqrt, hetero.sin, hetero.cos, hetero.abs, hetero.minimum, hetero.maximum, hetero.where",
        ))
    }

    fn __int__(&self) -> PyResult<i64> {
        Err(PyTypeError::new_err(
            "a traced value is not a number yet: int() cannot see it; the supported functions are hetero.exp, log, sqrt, sin, cos, abs, minimum, maximum, where",
        ))
    }

    fn __index__(&self) -> PyResult<i64> {
        self.__int__()
    }

    /// numpy hands a traced value to a ufunc here (`numpy.exp(x)`).
    #[pyo3(signature = (ufunc, method, *_inputs, **_kwargs))]
    fn __array_ufunc__(
        &self,
        ufunc: &Bound<'_, PyAny>,
        method: &str,
        _inputs: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let name = ufunc
            .getattr("__name__")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "ufunc".into());
        Err(PyTypeError::new_err(format!(
            "numpy.{name} ({method}) cannot run on a traced value: write hetero.{} instead (supported: exp, log, sqrt, sin, cos, abs, minimum, maximum, where)",
            match name.as_str() {
                "exp" | "log" | "sqrt" | "sin" | "cos" | "minimum" | "maximum" => name.as_str(),
                "absolute" | "fabs" => "abs",
                _ => "<one of the supported functions>",
            }
        )))
    }

    fn __array__(&self) -> PyResult<Py<PyAny>> {
        Err(PyTypeError::new_err(
            "a traced value is not an array: numpy functions cannot run inside a traced function; use hetero.exp, log, sqrt, sin, cos, abs, minimum, maximum, where",
        ))
    }

    fn __repr__(&self) -> String {
        format!("<hetero traced value v{}>", self.id)
    }
}

/// Runs `func` once on `arity` tracers and returns the tape it recorded.
/// `what` names the function in messages.
pub fn trace(py: Python<'_>, func: &Bound<'_, PyAny>, arity: usize, what: &str) -> PyResult<Tape> {
    let builder =
        TapeBuilder::new(arity).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
    let recording = Arc::new(Recording {
        builder: Mutex::new(builder),
    });
    let args: Vec<Py<Tracer>> = (0..arity)
        .map(|k| {
            let id = recording.push(Op::Input(k as u8))?;
            Py::new(py, Tracer::new(Arc::clone(&recording), id))
        })
        .collect::<PyResult<_>>()?;
    let result = func.call1(PyTuple::new(py, &args)?).map_err(|e| {
        // Ours (and Python's own TypeError/ValueError) say what to change;
        // anything else is wrapped so the message names the traced function.
        if e.is_instance_of::<PyTypeError>(py) || e.is_instance_of::<PyValueError>(py) {
            e
        } else {
            let wrapped = PyValueError::new_err(format!(
                "{what} raised while hetero traced it, so it has no tape: {e}"
            ));
            wrapped.set_cause(py, Some(e));
            wrapped
        }
    })?;
    let output = match operand(&result) {
        Ok(Operand::Traced(r, id)) if Arc::ptr_eq(&r, &recording) => {
            if result.cast::<Tracer>().is_ok_and(|t| t.get().is_mask()) {
                return Err(PyTypeError::new_err(format!(
                    "{what} returns a comparison, not a number: return hetero.where(cond, a, b)"
                )));
            }
            id
        }
        Ok(Operand::Number(v)) => recording.push(Op::Const(v))?,
        _ => {
            return Err(PyTypeError::new_err(format!(
                "{what} must return a number computed from its arguments, not {}",
                result
                    .get_type()
                    .name()
                    .map_or_else(|_| "that".into(), |n| n.to_string())
            )));
        }
    };
    let builder = recording
        .builder
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    builder
        .finish(output)
        .map_err(|e| PyTypeError::new_err(format!("{what}: {e}")))
}
