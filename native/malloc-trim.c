// malloc_trim for Node: the one C function flowchat calls that Node does not
// expose. glibc returns freed memory to the system only from the top of its
// heap; after a wave of connections the top is pinned by blocks that live on
// (V8 keeps its global-handle blocks), and the freed pages below stay
// resident until malloc_trim hands them back. Elsewhere it does nothing.
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// mallocTrim() -> true when the allocator gave memory back, false otherwise.
static napi_value MallocTrim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released == 1, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, MallocTrim, NULL, &fn);
  napi_set_named_property(env, exports, "mallocTrim", fn);
  return exports;
}
