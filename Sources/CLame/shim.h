// LAME's MP3 encoder (and its hip decoder, used by tests to check what was encoded).
#include <lame/lame.h>
