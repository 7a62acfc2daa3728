"""A PyMC model compiled for nutpie, its C callbacks calling PyTensor's compiled functions by
address, so that no process pays numba to compile the model a second time.

``nutpie.compile_pymc_model`` wraps the log density in a numba ``cfunc`` that calls PyTensor's
compiled function directly. numba then links that function's whole LLVM module into the
cfunc and optimises it and generates machine code for it again, in every process: the cfunc
closes over the model's data, so numba cannot cache it, however warm PyTensor's disk cache is
(6-13 s of a 17 s compilation at the seeds' size, benchmarks/PROFILE.md; nutpie PR #334, closed
unmerged, took the same route). Here PyTensor's function is loaded for the cfunc's argument
types (from its disk cache), and the cfunc calls it through a numba first-class function value
made from its address: the cfunc is a few lines, compiled in about a second, and the log
density, the gradient and the draws are nutpie's own, bit for bit
(tests/test_nutpie_callbacks.py). No source is generated: the data arrays are rebuilt from
``user_data`` by an intrinsic that knows the record's byte offsets.

The callbacks read the data's pointers and shapes from nutpie's ``user_data`` record at every
call, as nutpie's do, so ``with_data`` swaps data without compiling; and the model's sizes and
its functions' addresses from fields added after nutpie's, so one compiled callback serves
every model whose data have the same number, ranks and dtypes (every structure and
configuration of the default model family): a process compiles them once. This uses
nutpie's private helpers (``_make_functions``, ``make_user_data``, ``CompiledPyMCModel``), at
the version pinned in scripts/constraints.txt; sampling stays nutpie's.
"""

from __future__ import annotations

import math
import threading
from functools import cache, wraps

import numba
import numpy as np
import pymc as pm
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array
from nutpie import compile_pymc as nutpie_pymc
from pymc.initial_point import make_initial_point_fn

# nutpie's callback signatures: (dim, x, gradient out, log density out, user data) and
# (dim, expanded dim, x, expanded out, user data); 0 is success
_LOGP_SIGNATURE = types.int64(types.uint64, types.CPointer(types.double),
                              types.CPointer(types.double), types.CPointer(types.double),
                              types.voidptr)
_EXPAND_SIGNATURE = types.int64(types.uint64, types.uint64, types.CPointer(types.double),
                                types.CPointer(types.double), types.voidptr)


def compile_pymc_model(model: pm.Model, var_names: list[str]) -> nutpie_pymc.CompiledPyMCModel:
    """``nutpie.compile_pymc_model(model, var_names=var_names)`` with the numba backend and
    its defaults (support-point initial values, jittered), compiling the callbacks by address."""
    jitter = make_initial_point_fn(model=model, overrides=None, default_strategy="support_point",
                                   jitter_rvs=set(model.free_RVs), return_transformed=True)
    (n_dim, n_expanded, logp_function, expand_function, initial_point_fn, shape_info,
     reparameterized_names) = nutpie_pymc._make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True,
        pymc_initial_point_fn=_with_lock(jitter), var_names=var_names)

    # keys are the variables' positions, not nutpie's random ones: models of one layout get
    # the same record, so they share their compiled callbacks
    shared_var_keys, shared_data = {}, {}
    for variable in [*logp_function.get_shared(), *expand_function.get_shared()]:
        if variable not in shared_var_keys:
            key = shared_var_keys[variable] = f"s{len(shared_var_keys)}"
            shared_data[key] = np.array(variable.get_value(), order="C", copy=True)
            shared_data[key].flags.writeable = False
    functions = {"logp": logp_function, "expand": expand_function}
    keys = {name: [shared_var_keys[variable] for variable in function.get_shared()]
            for name, function in functions.items()}
    compiled = {name: _compiled_address(function.vm.jit_fn,
                                        [shared_data[key] for key in keys[name]])
                for name, function in functions.items()}
    user_data = _user_data(shared_var_keys, shared_data, logp=compiled["logp"][0],
                           expand=compiled["expand"][0], n_dim=n_dim, n_expanded=n_expanded)

    def layout(name: str) -> tuple:
        return (user_data.dtype, tuple(keys[name]),
                tuple(shared_data[key].dtype for key in keys[name]), compiled[name][1])

    dims, coords = nutpie_pymc._prepare_dims_and_coords(model, shape_info, reparameterized_names)
    return nutpie_pymc.CompiledPyMCModel(
        _n_dim=n_dim, dims=dims, _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info)},
        compiled_logp_func=_logp_callback(*layout("logp")),
        compiled_expand_func=_expand_callback(*layout("expand")),
        initial_point_func=initial_point_fn, shared_data=shared_data,
        shared_var_keys=shared_var_keys, user_data=user_data, n_expanded=n_expanded,
        shape_info=shape_info, logp_func=logp_function, expand_func=expand_function,
        reparameterized_names=reparameterized_names)


def _compiled_address(dispatcher, arrays: list[np.ndarray]) -> tuple[int, types.FunctionType]:
    """The address of ``dispatcher``'s machine code for a float64 point and ``arrays`` as C
    arrays (compiled or loaded from numba's disk cache), and its type. The address stays valid
    while the dispatcher lives: the CompiledPyMCModel holds it (``logp_func``, ``expand_func``)."""
    argument_types = (types.Array(types.float64, 1, "C"),
                      *(types.Array(numba.from_dtype(array.dtype), array.ndim, "C")
                        for array in arrays))
    # PyTensor's functions take *args: numba compiles them for the folded argument tuple
    _, folded = dispatcher.fold_argument_types(argument_types, {})
    folded = tuple(folded)
    dispatcher.compile(folded)
    result = dispatcher.overloads[folded]
    address = result.library.get_pointer_to_function(result.fndesc.llvm_func_name)
    return address, types.FunctionType(result.signature)


@cache
def _function_at(function_type: types.FunctionType):
    """An intrinsic that makes a first-class function value of ``function_type`` from the
    address of its machine code; numba calls it with its own calling convention (jit_addr),
    exceptions included."""

    @intrinsic
    def function_at(typingctx, address):
        def codegen(context, builder, signature, arguments):
            value = cgutils.create_struct_proxy(function_type)(context, builder)
            value.jit_addr = builder.inttoptr(arguments[0], cgutils.voidptr_t)
            value.c_addr = cgutils.voidptr_t(None)
            value.py_addr = cgutils.voidptr_t(None)
            return value._getvalue()

        return function_type(address), codegen

    return function_at


def _user_data(shared_var_keys: dict, shared_data: dict, **model: int) -> np.ndarray:
    """nutpie's user-data record (the data's pointers, sizes and shapes, which ``with_data``
    rewrites) and the model's own fields after it: its functions' addresses and its sizes, read
    by the callbacks at every call so that one compiled callback serves every model whose
    data have the same ranks and dtypes."""
    shared = nutpie_pymc.make_user_data(shared_var_keys, shared_data)
    user_data = np.zeros((), np.dtype([("shared", shared.dtype["shared"]),
                                       ("model", [(name, np.uint64) for name in model])]))
    user_data["shared"] = shared["shared"]
    for name, value in model.items():
        user_data["model"][name] = value
    return user_data


@cache
def _logp_callback(record: np.dtype, keys: tuple[str, ...], dtypes: tuple[np.dtype, ...],
                   function_type: types.FunctionType) -> numba.core.ccallback.CFunc:
    """nutpie's log-density callback, compiled once per process for each layout of the data:
    the point, the data arrays and the function's address read from ``user_data``."""
    shared_arrays = _shared_arrays(record, keys, dtypes)
    function_at = _function_at(function_type)

    def logp_callback(dim, x_, out_, logp_, user_data_):
        model = numba.carray(user_data_, (), record)["model"]
        n_dim = int(model["n_dim"][()])
        if dim != n_dim:
            return -1
        try:
            x = numba.carray(x_, (n_dim,))
            out = numba.carray(out_, (n_dim,))
            value, grad = function_at(model["logp"][()])((x,) + shared_arrays(user_data_))
            logp_[0] = value[()]
            finite = True
            for i in range(n_dim):
                out[i] = grad[i]
                finite = finite and math.isfinite(grad[i])
            if not finite:
                return 3
            if not math.isfinite(logp_[0]):
                return 4
        except Exception:  # noqa: BLE001 - nutpie's codes: 1 is an error in the function
            return 1
        return 0

    return numba.cfunc(_LOGP_SIGNATURE)(logp_callback)


@cache
def _expand_callback(record: np.dtype, keys: tuple[str, ...], dtypes: tuple[np.dtype, ...],
                     function_type: types.FunctionType) -> numba.core.ccallback.CFunc:
    """nutpie's callback that expands a point into the stored draws (the free variables and
    ``var_names``), compiled as ``_logp_callback``."""
    shared_arrays = _shared_arrays(record, keys, dtypes)
    function_at = _function_at(function_type)

    def expand_callback(dim, expanded, x_, out_, user_data_):
        model = numba.carray(user_data_, (), record)["model"]
        n_dim, n_expanded = int(model["n_dim"][()]), int(model["n_expanded"][()])
        if dim != n_dim or expanded != n_expanded:
            return -1
        try:
            x = numba.carray(x_, (n_dim,))
            out = numba.carray(out_, (n_expanded,))
            (values,) = function_at(model["expand"][()])((x,) + shared_arrays(user_data_))
            for i in range(n_expanded):
                out[i] = values[i]
        except Exception:  # noqa: BLE001
            return -2
        return 0

    return numba.cfunc(_EXPAND_SIGNATURE)(expand_callback)


@cache
def _shared_arrays(record: np.dtype, keys: tuple[str, ...], dtypes: tuple[np.dtype, ...]):
    """An intrinsic: the tuple of data arrays ``keys`` (C-contiguous, of ``dtypes``) over the
    pointers and shapes that ``user_data`` (nutpie's record, at its fields' byte offsets) holds
    at the time of the call."""
    shared, shared_offset = record.fields["shared"]
    pointers, pointers_offset = shared.fields["data"]
    shapes, shapes_offset = shared.fields["shape"]
    # a shape field is (rank,) unsigned integers
    array_types = tuple(types.Array(numba.from_dtype(dtype), shapes.fields[key][0].shape[0], "C")
                        for key, dtype in zip(keys, dtypes))
    places = [(shared_offset + pointers_offset + pointers.fields[key][1],
               shared_offset + shapes_offset + shapes.fields[key][1]) for key in keys]
    tuple_type = types.Tuple(array_types)

    @intrinsic
    def shared_arrays(typingctx, user_data):
        def codegen(context, builder, signature, arguments):
            base = builder.bitcast(arguments[0], ir.IntType(8).as_pointer())
            intp = context.get_value_type(types.intp)

            def load(offset: int):  # the 8-byte unsigned integer at ``offset``
                place = builder.gep(base, [ir.Constant(ir.IntType(64), offset)])
                return builder.load(builder.bitcast(place, intp.as_pointer()))

            arrays = []
            for array_type, (pointer_offset, shape_offset) in zip(array_types, places):
                element = context.get_data_type(array_type.dtype)
                itemsize = context.get_abi_sizeof(element)
                shape = [load(shape_offset + 8 * axis) for axis in range(array_type.ndim)]
                strides, stride = [], ir.Constant(intp, itemsize)
                for extent in reversed(shape):  # C order
                    strides.insert(0, stride)
                    stride = builder.mul(stride, extent)
                array = make_array(array_type)(context, builder)
                populate_array(array, data=builder.inttoptr(load(pointer_offset),
                                                            element.as_pointer()),
                               shape=cgutils.pack_array(builder, shape, ty=intp),
                               strides=cgutils.pack_array(builder, strides, ty=intp),
                               itemsize=ir.Constant(intp, itemsize), meminfo=None)
                arrays.append(array._getvalue())
            return context.make_tuple(builder, tuple_type, arrays)

        return tuple_type(user_data), codegen

    return shared_arrays


def _with_lock(function):
    """nutpie calls the initial-point function from its chains' threads; PyTensor functions
    are not thread-safe (nutpie's own _wrap_with_lock)."""
    lock = threading.Lock()

    @wraps(function)
    def locked(*args, **kwargs):
        with lock:
            return function(*args, **kwargs)

    return locked
