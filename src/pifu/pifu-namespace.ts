/** PIFU-IMS 1.3 target namespace; since 1.3 it carries only the major version (endringslogg 2020-04-12). */
export const pifuNamespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
