// Lets Node run the Worker's TypeScript modules as they are (extensionless relative imports,
// as the bundler resolves them): `node --import ./bench/search/ts-resolve.mjs`.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith(".") && !/\.[cm]?[jt]s$/.test(specifier)) return next(`${specifier}.ts`, context);
      throw err;
    }
  },
});
