// espeak-ng's C API (speak_lib.h), synthesising into memory through a callback.
#include <espeak-ng/speak_lib.h>
