/**
 * The one bibliography every chapter cites from. Numbers are fixed by the order of this array
 * (1-13 follow the original study's own numbering, then the study itself, then the later
 * reference points), so "[2]" means the same source on every page.
 */

export interface Reference {
  /** Stable id used by <Cite id="..."/>, also the anchor `ref-<id>`. */
  id: string;
  /** Author list as it should be printed. */
  authors: string;
  year: number;
  title: string;
  /** Journal, publisher or host, with volume/pages where known. */
  venue: string;
  doi?: string;
  url?: string;
  /** Why there is no DOI or URL (a reference without a link must say why; tests/unit/references.test.ts). */
  noLink?: string;
  /** A short note on what this site uses the source for. */
  note?: string;
  group: 'study' | 'beyond';
}

export const REFERENCES: readonly Reference[] = [
  {
    id: 'virani2021',
    authors: 'Virani SS, et al.',
    year: 2021,
    title: 'Heart disease and stroke statistics — 2021 update: a report from the American Heart Association',
    venue: 'Circulation 143(8):e254–e743, 2021',
    doi: '10.1161/CIR.0000000000000950',
    note: 'Yearly count of heart attacks in the US; heart disease as the leading cause of death.',
    group: 'study',
  },
  {
    id: 'bang2008',
    authors: 'Bang A, et al.',
    year: 2008,
    title:
      'Lower mortality after prehospital recognition and treatment followed by fast tracking to coronary care compared with admittance via emergency department in patients with ST-elevation myocardial infarction',
    venue: 'International Journal of Cardiology 129(3):325–332, 2008',
    doi: '10.1016/j.ijcard.2007.09.001',
    note: 'Mortality with and without pre-hospital STEMI recognition.',
    group: 'study',
  },
  {
    id: 'turner2017',
    authors: 'Turner A, Dunne R, Wise K.',
    year: 2017,
    title: 'Emergency medical services in Detroit: progress and potential',
    venue: 'Research brief, National Institute for Health Care Reform and Altarum Institute, May 2017',
    url: 'https://www.nihcr.org/publications/research-briefs/emergency-medical-services-in-detroit-progress-and-potential/',
    note: 'Basic Life Support crews and the paramedic shortage in Detroit and Michigan.',
    group: 'study',
  },
  {
    id: 'bhalla2013',
    authors: 'Bhalla MC, Mencl F, Gist MA, Wilber S, Zalewski J.',
    year: 2013,
    title: 'Prehospital electrocardiographic computer identification of ST-segment elevation myocardial infarction',
    venue: 'Prehospital Emergency Care 17(2):211–216, 2013',
    url: 'https://pure.psu.edu/en/publications/prehospital-electrocardiographic-computer-identification-of-st-se',
    note: 'Share of STEMIs found by a common monitor’s built-in algorithm.',
    group: 'study',
  },
  {
    id: 'hartman2012',
    authors: 'Hartman SM, Barros AJ, Brady WJ.',
    year: 2012,
    title:
      'The use of a 4-step algorithm in the electrocardiographic diagnosis of ST-segment elevation myocardial infarction by novice interpreters',
    venue: 'American Journal of Emergency Medicine 30(7):1282–1295, 2012',
    url: 'https://pubmed.ncbi.nlm.nih.gov/22244224/',
    note: 'Error rate of emergency physicians reading STEMI.',
    group: 'study',
  },
  {
    id: 'mehta2019',
    authors: 'Mehta S, et al.',
    year: 2019,
    title: 'P1466 Can physicians trust a machine learning algorithm to diagnose ST elevation myocardial infarction?',
    venue: 'European Heart Journal 40 (Supplement 1), 2019 (ESC Congress abstract P1466)',
    noLink: 'a congress abstract; we found no stable public page for it',
    note: 'Missed STEMIs among general physicians and emergency residents.',
    group: 'study',
  },
  {
    id: 'liu2017',
    authors: 'Liu W, Zhang M, Zhang Y, Liao Y, Huang Q, Chang S, Wang H, He J.',
    year: 2018,
    title: 'Real-time multilead convolutional neural network for myocardial infarction detection',
    venue: 'IEEE Journal of Biomedical and Health Informatics 22(5):1434–1444, 2018 (online 2017)',
    doi: '10.1109/JBHI.2017.2771768',
    note: 'Signal-based multilead CNN with sub-2D convolutions and lead-asymmetric pooling.',
    group: 'study',
  },
  {
    id: 'park2019',
    authors: 'Park Y, Yun ID, Kang SH.',
    year: 2019,
    title: 'Preprocessing method for performance enhancement in CNN-based STEMI detection from 12-lead ECG',
    venue: 'IEEE Access 7:99964–99977, 2019',
    noLink: 'we could not confirm its DOI; the journal is open access and the title finds it',
    note: 'Filtering and QRS-based segmentation before a CNN.',
    group: 'study',
  },
  {
    id: 'xiao2018',
    authors: 'Xiao R, Xu Y, Pelter MM, Mortara DW, Hu X.',
    year: 2018,
    title: 'A deep learning approach to examine ischemic ST changes in ambulatory ECG recordings',
    venue: 'AMIA Joint Summits on Translational Science Proceedings 2018:256–262',
    url: 'https://pmc.ncbi.nlm.nih.gov/articles/PMC5961830/',
    note: 'Image-based CNN for ST depression.',
    group: 'study',
  },
  {
    id: 'alzaiti2020',
    authors: 'Al-Zaiti S, et al.',
    year: 2020,
    title:
      'Machine learning-based prediction of acute coronary syndrome using only the pre-hospital 12-lead electrocardiogram',
    venue: 'Nature Communications 11, 2020',
    doi: '10.1038/s41467-020-17804-2',
    note: 'Fusion model on hand-engineered EKG features versus software and clinicians.',
    group: 'study',
  },
  {
    id: 'wagner2020physionet',
    authors: 'Wagner P, Strodthoff N, Bousseljot R, Samek W, Schaeffter T.',
    year: 2020,
    title: 'PTB-XL, a large publicly available electrocardiography dataset (version 1.0.1)',
    venue: 'PhysioNet, 2020. Licensed CC BY 4.0',
    doi: '10.13026/x4td-x982',
    url: 'https://physionet.org/content/ptb-xl/1.0.1/',
    note: 'The recordings every image on this site is drawn from.',
    group: 'study',
  },
  {
    id: 'wagner2020scidata',
    authors: 'Wagner P, Strodthoff N, Bousseljot R, Kreiseler D, Lunze FI, Samek W, Schaeffter T.',
    year: 2020,
    title: 'PTB-XL, a large publicly available electrocardiography dataset',
    venue: 'Scientific Data 7:154, 2020',
    doi: '10.1038/s41597-020-0495-6',
    note: 'Description of the dataset, its labels and its recommended folds.',
    group: 'study',
  },
  {
    id: 'goldberger2000',
    authors:
      'Goldberger AL, Amaral LAN, Glass L, Hausdorff JM, Ivanov PCh, Mark RG, Mietus JE, Moody GB, Peng C-K, Stanley HE.',
    year: 2000,
    title:
      'PhysioBank, PhysioToolkit, and PhysioNet: components of a new research resource for complex physiologic signals',
    venue: 'Circulation 101(23):e215–e220, 2000',
    doi: '10.1161/01.CIR.101.23.e215',
    note: 'The PhysioNet repository that hosts PTB-XL.',
    group: 'study',
  },
  {
    id: 'heartnet2021',
    authors: 'oapostrophe, gkenderova, soksamnanglim, syaa2018',
    year: 2021,
    title: 'HeartNet',
    venue:
      'Student research project on detecting myocardial infarction in images of 12-lead EKGs, GitHub repository, 2021',
    url: 'https://github.com/oapostrophe/HeartNet',
    note: 'The study this site reports on; the source of every “as published” result.',
    group: 'beyond',
  },
  {
    id: 'strodthoff2021',
    authors: 'Strodthoff N, Wagner P, Schaeffter T, Samek W.',
    year: 2021,
    title: 'Deep learning for ECG analysis: benchmarks and insights from PTB-XL',
    venue: 'IEEE Journal of Biomedical and Health Informatics 25(5):1519–1528, 2021',
    doi: '10.1109/JBHI.2020.3022989',
    note: 'Signal-based benchmark on PTB-XL’s diagnostic superclasses.',
    group: 'beyond',
  },
  {
    id: 'chen2021',
    authors: 'Chen X, Guo W, Zhao L, Huang W, Wang L, Sun A, Li L, Mo F.',
    year: 2021,
    title: 'Acute myocardial infarction detection using deep learning-enabled electrocardiograms',
    venue: 'Frontiers in Cardiovascular Medicine 8:654515, 2021',
    doi: '10.3389/fcvm.2021.654515',
    note: 'A signal-based ResNet for acute MI trained on PTB-XL (random 7:3 split), for comparison.',
    group: 'beyond',
  },
  {
    id: 'cinc2024',
    authors: 'PhysioNet / Computing in Cardiology',
    year: 2024,
    title: 'The George B. Moody PhysioNet Challenge 2024: digitization and classification of ECG images',
    venue: 'PhysioNet / Computing in Cardiology Challenge, 2024',
    url: 'https://moody-challenge.physionet.org/2024/',
    note: 'Image-based classification of PTB-XL renderings, scans and phone photos.',
    group: 'beyond',
  },
  {
    id: 'ecgimagekit',
    authors: 'Shivashankara KK, Deepanshi, Mehri Shervedani A, Clifford GD, Reyna MA, Sameni R.',
    year: 2024,
    title:
      'ECG-Image-Kit: a synthetic image generation toolbox to facilitate deep learning-based electrocardiogram digitization',
    venue:
      'Physiological Measurement 45(5):055019, 2024; preprint arXiv:2307.01946; code at github.com/alphanumericslab/ecg-image-kit',
    doi: '10.48550/arXiv.2307.01946',
    note: 'Realistic synthetic EKG images: paper grid, 3×4 layout with rhythm strip, handwriting, creases, camera-like distortions.',
    group: 'beyond',
  },
  {
    id: 'kligfield2007',
    authors: 'Kligfield P, Gettes LS, Bailey JJ, Childers R, Deal BJ, Hancock EW, et al.',
    year: 2007,
    title:
      'Recommendations for the standardization and interpretation of the electrocardiogram: part I: the electrocardiogram and its technology',
    venue: 'Circulation 115(10):1306–1324, 2007 (AHA/ACCF/HRS scientific statement)',
    doi: '10.1161/CIRCULATIONAHA.106.180200',
    note: 'How the 12 leads are defined and derived: leads III, aVR, aVL and aVF follow from I and II, the laws the self-check of chapter 7 tests.',
    group: 'beyond',
  },
];

const BY_ID = new Map(REFERENCES.map((r, i) => [r.id, { ref: r, n: i + 1 }]));

/** Look up a reference and its fixed number; throws (and so fails the build) on an unknown id. */
export function getReference(id: string): { ref: Reference; n: number } {
  const hit = BY_ID.get(id);
  if (!hit) {
    throw new Error(`Unknown reference id "${id}". Known ids: ${[...BY_ID.keys()].join(', ')}`);
  }
  return hit;
}

/** "Bang et al. 2008"-style short label. */
export function shortLabel(ref: Reference): string {
  if (ref.id === 'cinc2024') return 'PhysioNet/CinC Challenge 2024';
  if (ref.id === 'heartnet2021') return 'HeartNet 2021';
  const first = (ref.authors.split(/,\s*/)[0] ?? ref.authors).replace(/\s+et al\.?$/, '');
  const surname = first.replace(/\s+[A-Z][A-Za-z-]*\.?$/, (m) => (/[a-z]{2}/.test(m) ? m : ''));
  const many = ref.authors.split(',').length > 2 || /et al/.test(ref.authors);
  const two = !many && ref.authors.split(',').length === 2;
  const second = two ? (ref.authors.split(/,\s*/)[1] ?? '').replace(/\s+[A-Z]+\.?$/, '') : '';
  return `${surname}${many ? ' et al.' : two ? ` and ${second}` : ''} ${ref.year}`;
}

/** Split a Cite id attribute ("a, b") into ids. */
export function splitIds(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The reference ids a chapter cites, from its raw MDX source, in bibliography order.
 * Used to print "sources cited in this chapter" under each chapter without relying on render order.
 */
export function citedIds(mdxSource: string): string[] {
  const ids = new Set<string>();
  for (const m of mdxSource.matchAll(/<Cite\b[^>]*?\bid=["']([^"']+)["']/g)) {
    for (const id of splitIds(m[1] ?? '')) {
      getReference(id);
      ids.add(id);
    }
  }
  return [...ids].sort((a, b) => getReference(a).n - getReference(b).n);
}

/** External link for a reference (DOI preferred). */
export function referenceLink(ref: Reference): string | undefined {
  return ref.doi ? `https://doi.org/${ref.doi}` : ref.url;
}
