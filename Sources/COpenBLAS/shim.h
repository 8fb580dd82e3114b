#ifndef M2GRL_COPENBLAS_SHIM_H
#define M2GRL_COPENBLAS_SHIM_H
#include <cblas.h>
/* openblas_set_num_threads etc. are declared in cblas.h of OpenBLAS. */
#endif
