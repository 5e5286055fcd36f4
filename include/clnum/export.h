/**
 * @file export.h
 * @brief CLN_API marks what libclnum exports: the library is built with hidden visibility
 * (-fvisibility=hidden), so only the functions declared with CLN_API in these headers are
 * in its dynamic symbol table, and nothing internal can be linked against by mistake. */
#ifndef CLNUM_EXPORT_H
#define CLNUM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CLN_API __attribute__((visibility("default")))
#else
#define CLN_API
#endif

#endif
