#ifndef M2GRL_CROCKSDB_SHIM_H
#define M2GRL_CROCKSDB_SHIM_H
#include <rocksdb/c.h>
#endif
