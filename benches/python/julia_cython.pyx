# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
# The reference notebook's Cython + OpenMP Julia cell (prange over rows),
# for timing against hetero.julia from Python: benches/python/julia_compare.py.
from cython.parallel import prange
import numpy as np


def julia(int n, float cr, float ci, int maxiters):
    cdef int height = n, width = 2 * n
    counts_array = np.zeros((height, width), dtype=np.uint32)
    cdef unsigned int[:, ::1] counts = counts_array
    cdef int i, j, k
    cdef float zr, zi, t
    for i in prange(height, nogil=True, schedule="dynamic"):
        for j in range(width):
            zr = -2.0 + j * (4.0 / width)
            zi = -1.0 + i * (2.0 / height)
            k = 0
            while k < maxiters and zr * zr + zi * zi < 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                k = k + 1
            counts[i, j] = k
    return counts_array
