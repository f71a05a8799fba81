// cairo and its PDF surface (Debian: libcairo2-dev), for ParleyReports.
#include <cairo.h>
#include <cairo-pdf.h>
