/**
 * zod for every schema of the functions: `zod/mini`, with English messages.
 *
 * Classic zod (`import * as z from 'zod'`) gives every schema type all its
 * methods, so a bundle carries all of zod (about 98 KiB minified against
 * some 35 KiB for `zod/mini` with the same schemas) and a cold start spends
 * milliseconds building them. The mini build has the same core (the same
 * parsing, issues and messages) with the methods as functions, which
 * esbuild drops when unused: `z.optional(s)` for `s.optional()`,
 * `z._default(s, v)` for `s.default(v)`, `z.extend(s, shape)` for
 * `s.extend(shape)`, and checks passed to `s.check(...)` (`z.minLength`,
 * `z.regex`, `z.int()`, `z.gte`, ...) where classic zod has `s.min(1)`:
 * classic zod's methods add these very checks.
 *
 * Unlike classic zod, `zod/mini` loads no locale on import. English, the one
 * classic zod configures, is what `validate.ts` and the event errors word
 * their messages from, so it is configured here, once, for every module
 * that takes `z` from this file.
 *
 * Import it as a namespace (`import * as z from './zod.ts'`): esbuild then
 * keeps only what is used; a named import of a namespace object (`{ z }`)
 * keeps all of it.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
