import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { compileOnFirstUse } from './lazy-compile.ts';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

// Fastify's own response serializers (fast-json-stringify: only the schema's fields go out),
// each built on the first answer of its route and status rather than at start, where
// building one for every route with a response schema was an eighth of the daemon's start
// (bench/README.md, tenth session). Given to Fastify as `schemaController.compilersFactory`.
export const buildLazySerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    const getSerialize = compileOnFirstUse(() => compile(route));
    return (document: unknown) => getSerialize()(document);
  };
};
