/* version.h — the program version written into every results file. */
#ifndef PS_VERSION_H
#define PS_VERSION_H
#define PS_VERSION "0.1.0"
#endif
