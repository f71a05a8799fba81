// espeak-ng's C API (speak_lib.h), synthesising into memory through a callback.
//
// espeak-ng keeps all its state in globals (one callback, one voice), so two users in one
// process (Parley's synthesiser and, say, a test helper) would overwrite each other. Parley
// loads a private copy of the library file (another inode is another instance with its own
// globals, sharing the process's libc) and calls it through this table. (dlmopen would also
// isolate it, but loads a second libc, which crashed libdispatch at thread exit here.)
#include <espeak-ng/speak_lib.h>
#include <dlfcn.h>
#include <stddef.h>

typedef struct {
    int (*Initialize)(espeak_AUDIO_OUTPUT output, int buflength, const char *path, int options);
    void (*SetSynthCallback)(t_espeak_callback *callback);
    espeak_ERROR (*SetVoiceByName)(const char *name);
    espeak_ERROR (*SetParameter)(espeak_PARAMETER parameter, int value, int relative);
    espeak_ERROR (*Synth)(const void *text, size_t size, unsigned int position, espeak_POSITION_TYPE position_type,
                          unsigned int end_position, unsigned int flags, unsigned int *unique_identifier, void *user_data);
} parley_espeak_api;

/// Loads libespeak-ng from `path` (a private copy, or the soname as a fallback); returns 0
/// when the library or a function is missing.
static inline int parley_espeak_load(parley_espeak_api *api, const char *path) {
    // The system copy goes first: a later dlopen("libespeak-ng.so.1") by anyone else matches the
    // first object with that soname, which must not be Parley's private one.
    (void)dlopen("libespeak-ng.so.1", RTLD_NOW | RTLD_LOCAL);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return 0;
    api->Initialize = (int (*)(espeak_AUDIO_OUTPUT, int, const char *, int))dlsym(library, "espeak_Initialize");
    api->SetSynthCallback = (void (*)(t_espeak_callback *))dlsym(library, "espeak_SetSynthCallback");
    api->SetVoiceByName = (espeak_ERROR (*)(const char *))dlsym(library, "espeak_SetVoiceByName");
    api->SetParameter = (espeak_ERROR (*)(espeak_PARAMETER, int, int))dlsym(library, "espeak_SetParameter");
    api->Synth = (espeak_ERROR (*)(const void *, size_t, unsigned int, espeak_POSITION_TYPE, unsigned int, unsigned int,
                                   unsigned int *, void *))dlsym(library, "espeak_Synth");
    return api->Initialize && api->SetSynthCallback && api->SetVoiceByName && api->SetParameter && api->Synth;
}
