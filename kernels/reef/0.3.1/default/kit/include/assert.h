/* assert.h — a failed assertion is logged and ends the run with status 134. */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
void pb_assert_fail(const char *expr, const char *file, int line, const char *func)
	__attribute__((noreturn));
#define assert(e) ((e) ? (void)0 : pb_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
