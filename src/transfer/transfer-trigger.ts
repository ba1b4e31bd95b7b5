/** Why a transfer happened; recorded on the run, the transfer and so in the disclosure answers. */
export const transferTriggers = ['schedule', 'operator', 'resync'] as const;
export type TransferTrigger = (typeof transferTriggers)[number];
