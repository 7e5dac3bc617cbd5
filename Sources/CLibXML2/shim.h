// libxml2's headers pull in ICU's, which clash with Foundation's own ICU module
// ("'UErrorCode' has different definitions in different modules"): switch ICU off first.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
