/* Kiln's version, for --version and the API's vmm.ping. */
#ifndef KILN_CORE_VERSION_H
#define KILN_CORE_VERSION_H

#define KILN_VERSION "0.1.0"

#endif
