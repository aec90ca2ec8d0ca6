/* bundler internals: one cmd_* per subcommand, dispatched by main.c. */
#ifndef BUNDLER_H
#define BUNDLER_H

int cmd_keygen(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_import(int argc, char **argv);

/* Print "bundler: MSG" on stderr and return 1. */
int fail(const char *msg);

#endif
