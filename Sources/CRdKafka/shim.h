#ifndef M2GRL_CRDKAFKA_SHIM_H
#define M2GRL_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
