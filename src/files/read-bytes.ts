/**
 * What a stream reading a whole file once takes at a time (a feed's copy or upload, the manifests the
 * acknowledgement reads): 64 KiB. Each read is a new Buffer off the JavaScript heap, freed only when the
 * garbage collector finds it dead; reads of 1 MiB (as before) outlived young collections while the next
 * feed was written beside a delivery, so dead ones gathered until a full collection: the hub's
 * ArrayBuffers reached 39–54 MB during Oslo-scale deliveries (12–20 MB most of the time), and the
 * manifests' 1 MiB batches went to PostgreSQL as 1 MiB COPY buffers too. Above malloc's mmap
 * threshold they also raised that threshold, so later ones came from malloc's heap, which does not
 * shrink. 64 KiB stays under it; copying and hashing 600 MB took 0.9–1.2 CPU s either way.
 */
export const fileReadBytes = 1 << 16;
