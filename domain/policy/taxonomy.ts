/** Supported areas as versioned lists (spec §2). A loan is checked against the version in force on its disbursement date. */
import type { IsoDate } from '../dates.js';

export type Area =
  | 'clean_energy'
  | 'energy_saving_environmental_protection'
  | 'carbon_reduction_technology'
  | 'energy_saving_retrofit'
  | 'green_upgrading'
  | 'energy_transition';

export const AREA_NAMES: Record<Area, { zh: string; en: string }> = {
  clean_energy: { zh: '清洁能源', en: 'Clean energy' },
  energy_saving_environmental_protection: { zh: '节能环保', en: 'Energy saving and environmental protection' },
  carbon_reduction_technology: { zh: '碳减排技术', en: 'Carbon reduction technology' },
  energy_saving_retrofit: { zh: '节能改造', en: 'Energy-saving retrofit' },
  green_upgrading: { zh: '绿色升级', en: 'Green upgrading' },
  energy_transition: { zh: '能源绿色低碳转型', en: 'Green low-carbon energy transition' },
};

export type SubArea = { code: string; area: Area; nameZh: string; nameEn: string };
export type TaxonomyVersion = { version: string; effectiveFrom: IsoDate; subAreas: readonly SubArea[] };

const V2021: SubArea[] = [
  { code: 'CE.WIND', area: 'clean_energy', nameZh: '风力发电', nameEn: 'Wind power' },
  { code: 'CE.SOLAR', area: 'clean_energy', nameZh: '太阳能利用', nameEn: 'Solar energy' },
  { code: 'CE.BIOMASS', area: 'clean_energy', nameZh: '生物质能源利用', nameEn: 'Biomass energy' },
  { code: 'CE.PUMPED_HYDRO', area: 'clean_energy', nameZh: '抽水蓄能', nameEn: 'Pumped-storage hydro' },
  { code: 'CE.HYDROGEN', area: 'clean_energy', nameZh: '氢能利用', nameEn: 'Hydrogen' },
  { code: 'CE.GEOTHERMAL', area: 'clean_energy', nameZh: '地热能利用', nameEn: 'Geothermal' },
  { code: 'CE.OCEAN', area: 'clean_energy', nameZh: '海洋能利用', nameEn: 'Ocean energy' },
  { code: 'CE.HEAT_PUMP', area: 'clean_energy', nameZh: '热泵', nameEn: 'Heat pumps' },
  { code: 'CE.STORAGE', area: 'clean_energy', nameZh: '高效储能（包括电化学储能）', nameEn: 'Efficient storage incl. electrochemical' },
  { code: 'CE.SMART_GRID', area: 'clean_energy', nameZh: '智能电网', nameEn: 'Smart grid' },
  {
    code: 'CE.INTEGRATED',
    area: 'clean_energy',
    nameZh: '大型风电光伏源网荷储一体化项目',
    nameEn: 'Large wind/PV source-grid-load-storage integration',
  },
  { code: 'CE.ROOFTOP_PV', area: 'clean_energy', nameZh: '户用分布式光伏整县推进', nameEn: 'County-wide rooftop distributed PV' },
  { code: 'CE.TRANSMISSION', area: 'clean_energy', nameZh: '跨地区清洁电力输送系统', nameEn: 'Cross-region clean power transmission' },
  { code: 'CE.BACKUP_PEAK', area: 'clean_energy', nameZh: '应急备用和调峰电源', nameEn: 'Emergency backup and peak-regulation power' },
  {
    code: 'EE.INDUSTRIAL',
    area: 'energy_saving_environmental_protection',
    nameZh: '工业领域能效提升',
    nameEn: 'Industrial energy efficiency',
  },
  {
    code: 'EE.POWER_SYSTEM',
    area: 'energy_saving_environmental_protection',
    nameZh: '新型电力系统改造',
    nameEn: 'New-type power system retrofit',
  },
  { code: 'CT.CCUS', area: 'carbon_reduction_technology', nameZh: '碳捕集、封存与利用', nameEn: 'Carbon capture, utilisation and storage' },
];

const V2026: SubArea[] = [
  ...V2021,
  { code: 'ES.RETROFIT', area: 'energy_saving_retrofit', nameZh: '节能改造', nameEn: 'Energy-saving retrofit' },
  { code: 'GU.UPGRADE', area: 'green_upgrading', nameZh: '绿色升级', nameEn: 'Green upgrading' },
  { code: 'ET.TRANSITION', area: 'energy_transition', nameZh: '能源绿色低碳转型', nameEn: 'Green low-carbon energy transition' },
];

export const TAXONOMY_VERSIONS: readonly TaxonomyVersion[] = [
  { version: '2021-11', effectiveFrom: '2021-11-08', subAreas: V2021 },
  { version: '2026-01', effectiveFrom: '2026-01-15', subAreas: V2026 },
];
