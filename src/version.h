#ifndef CANDOR_VERSION_H
#define CANDOR_VERSION_H
#define CANDOR_VERSION "0.1.0"
#endif
