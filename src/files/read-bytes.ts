/**
 * What a stream reading a whole file once takes at a time (the manifests the acknowledgement reads, an
 * https push's upload): 256 KiB. Each read is a new Buffer off the JavaScript heap, freed only when the
 * garbage collector finds it dead; reads of 1 MiB outlived young collections while the next feed was
 * written beside a delivery, so dead ones gathered until a full collection (the hub's ArrayBuffers
 * reached 39–54 MB during Oslo-scale deliveries, 12–20 MB most of the time), and the manifests' 1 MiB
 * batches went to PostgreSQL as 1 MiB COPY buffers too. Smaller reads cost the delivery event-loop
 * turns behind the feed written beside it. `bench --scale oslo --recipients
 * itslearning,skole-sms,skoleplattform-messaging`, quiet: itslearning's delivery 3.7 s and a peak of
 * 284 MB at 1 MiB, 4.2 s and 243 MB at 256 KiB, 6.5 s and 237 MB at 64 KiB. (A file drop's copy reads
 * nothing into JavaScript: copyFileAtomically.)
 */
export const fileReadBytes = 1 << 18;
