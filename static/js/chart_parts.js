/* Parts of the ferritin charts (patient_charts.js draws them): the palette, date helpers,
 * the label strip above the plot, treatment bands, legend entries and the overlay chart.
 * Loaded before patient_charts.js (both deferred, so in order); shares them through
 * window.rlsChartParts. No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  const REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Line and text colours: the Okabe–Ito palette (told apart with every common colour
  // vision deficiency), its light hues (orange, sky blue, yellow) darkened in the same hue
  // so that every line is at least 3:1 against the white page. tests/charts/test_palette.py
  // reads this table and checks each contrast; text colours (*Text) need 4.5:1.
  const COLORS = {
    ferritin: "#0072B2",
    threshold: "#D55E00",
    reference: "#6C757D",
    infusion: "#000000",
    projection: "#0072B2",
    population: "#9A6700",
    hemoglobin: "#CC79A7",
    hematocrit: "#9A6700",
    tsat: "#009E73",
    symptoms: "#4D4D4D",
    course: "#007A59",
    medicineEvent: "#9A6700",
    projectionText: "#0072B2",
    populationText: "#9A6700",
  };
  // Not the threshold's vermilion: the overlay chart draws the threshold line beside these.
  const EPISODE_COLORS = ["#0072B2", "#009E73", "#CC79A7", "#9A6700", "#000000", "#2B88C4"];
  // Fills under lines, not lines: light by design.
  const FILLS = {
    oralIron: "rgba(0,158,115,0.10)",
    medicine: "rgba(0,114,178,0.28)",
    agonist: "rgba(230,159,0,0.40)",
    band: "rgba(0,114,178,0.15)",
    populationBand: "rgba(230,159,0,0.18)",
  };
  // Blood tests drawn with their own point shape too, so colour is not the only cue.
  const POINT_STYLES = { hemoglobin: "rectRot", hematocrit: "rect", tsat: "crossRot" };
  const BLOOD = ["hemoglobin", "hematocrit", "tsat"];
  const SYMBOLS = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" };

  function day(iso) {
    // Local midnight, so a date never shows as the day before west of UTC.
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d).getTime();
  }

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function shortDate(ms) {
    // The same "6 Aug 2027" as the server-rendered tables, whatever the browser's locale.
    const d = new Date(ms);
    return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear();
  }

  function isCompact(canvas) {
    // The canvas itself is 300 px wide until Chart.js sizes it: measure its box instead.
    return canvas.parentNode.clientWidth < 600;
  }

  function round(value, digits) {
    const f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }


  // Horizontal lines: the threshold and the guideline levels. They carry no label on the
  // plot, where a label would sit on a result; the legend names them instead.
  function annotationLines(data) {
    const annotations = {};
    annotations.threshold = {
      type: "line",
      scaleID: "y",
      value: data.threshold,
      borderColor: COLORS.threshold,
      borderWidth: 2,
    };
    data.reference_lines.forEach(function (line) {
      annotations["reference" + line.value] = {
        type: "line",
        scaleID: "y",
        value: line.value,
        borderColor: COLORS.reference,
        borderWidth: 1,
        borderDash: [2, 3],
        label: { display: false, content: line.label },
      };
    });
    return annotations;
  }

  // Labels for dated marks (infusions, the estimated date, oral iron courses, medicine
  // events) are drawn in a strip above the plot area, never over a result: each at its
  // date in the first of labelRows() rows with room, shortened if none has, left out if the
  // short form does not fit either (the line stays; the tables below name it).
  function labelRows(compact) {
    return compact ? 3 : 2;
  }
  const LABEL_GAP = 8;

  function labelFont(compact) {
    return { size: compact ? 12 : 13, family: window.Chart.defaults.font.family };
  }

  function labelStripHeight(compact) {
    return labelRows(compact) * (labelFont(compact).size + 8) + LABEL_GAP;
  }

  const topLabels = {
    id: "rlsTopLabels",
    afterDraw: function (chart, _args, options) {
      const items = (options && options.items) || [];
      const area = chart.chartArea;
      const scale = chart.scales.x;
      const ctx = chart.ctx;
      const font = options.font;
      const rowHeight = font.size + 8;
      // Each row's taken [left, right] spans: labels come in priority order, not by date.
      const rows = [];
      for (let r = 0; r < options.rows; r++) rows.push([]);
      const free = function (row, left, right) {
        return row.every(function (span) { return right + 3 <= span[0] || left >= span[1] + 3; });
      };
      const boxes = [];
      ctx.save();
      ctx.font = font.size + "px " + font.family;
      ctx.textBaseline = "middle";
      items.forEach(function (item) {
        const x = scale.getPixelForValue(item.x);
        if (x < area.left - 1 || x > area.right + 1) return;
        let placed = null;
        [item.text, item.short].forEach(function (text) {
          if (placed || !text) return;
          const width = ctx.measureText(text).width + 8;
          const left = Math.max(0, Math.min(x - width / 2, chart.width - width));
          const row = rows.findIndex(function (taken) { return free(taken, left, left + width); });
          if (row >= 0) placed = { text: text, width: width, left: left, row: row };
        });
        if (!placed) return;
        rows[placed.row].push([placed.left, placed.left + placed.width]);
        // Row 0 nearest the plot; the box ends LABEL_GAP above it.
        const top = area.top - LABEL_GAP - (placed.row + 1) * rowHeight + 2;
        const height = rowHeight - 2;
        ctx.strokeStyle = item.color;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, top + height);
        ctx.lineTo(x, area.top);
        ctx.stroke();
        ctx.fillStyle = item.filled ? item.color : "#ffffff";
        ctx.fillRect(placed.left, top, placed.width, height);
        ctx.strokeRect(placed.left + 0.5, top + 0.5, placed.width - 1, height - 1);
        ctx.fillStyle = item.filled ? "#ffffff" : item.color;
        ctx.fillText(placed.text, placed.left + 4, top + height / 2);
        boxes.push({
          id: item.id, text: placed.text, left: placed.left, top: top,
          right: placed.left + placed.width, bottom: top + height, size: font.size,
          color: ctx.fillStyle, background: item.filled ? item.color : "#ffffff",
        });
      });
      ctx.restore();
      stripLabels(chart, options, boxes);
      // Read by the browser tests: where each label went.
      chart.$topLabels = boxes;
    },
  };

  // Every drawn point of the visible series, in pixels.
  function drawnPoints(chart) {
    const points = [];
    chart.data.datasets.forEach(function (ds, i) {
      if (!chart.isDatasetVisible(i)) return;
      chart.getDatasetMeta(i).data.forEach(function (el) {
        if (!el.skip && el.options && el.options.radius > 0) points.push(el);
      });
    });
    return points;
  }

  // A medicine's name inside its strip at the foot of the plot: at the first place along
  // the strip where it covers no point, or not at all (the caption and the medicines
  // page name it).
  function stripLabels(chart, options, boxes) {
    const strips = options.strips || [];
    if (!strips.length) return;
    const x = chart.scales.x;
    const y = chart.scales.y;
    const area = chart.chartArea;
    const ctx = chart.ctx;
    const size = 11;
    const points = drawnPoints(chart);
    ctx.save();
    ctx.font = size + "px " + options.font.family;
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#212529";
    strips.forEach(function (strip) {
      const start = Math.max(x.getPixelForValue(strip.xMin), area.left);
      const end = Math.min(x.getPixelForValue(strip.xMax), area.right);
      const width = ctx.measureText(strip.text).width + 4;
      const middle = (y.getPixelForValue(strip.yMin) + y.getPixelForValue(strip.yMax)) / 2;
      const top = middle - size / 2 - 1;
      const bottom = middle + size / 2 + 1;
      for (let left = start + 2; left + width <= end; left += width / 2) {
        const clear = points.every(function (p) {
          const r = p.options.radius + 1;
          return p.x + r < left || p.x - r > left + width || p.y + r < top || p.y - r > bottom;
        });
        if (!clear) continue;
        ctx.fillText(strip.text, left + 2, middle);
        boxes.push({ id: "medicine", text: strip.text, left: left, top: top, right: left + width, bottom: bottom, size: size, inside: true });
        return;
      }
    });
    ctx.restore();
  }

  // Oral iron courses as light full-height bands, RLS medicines as strips along the foot
  // of the chart (dopamine agonists in amber), augmentation and other dated medicine
  // events as dashed lines (issue 17). A course or medicine still taken runs to today.
  function treatmentBands(data, annotations, labels, strips, allDays, maxFerritin) {
    const today = day(data.today);
    (data.courses || []).forEach(function (course, i) {
      allDays.push(day(course.start));
      annotations["course" + i] = {
        type: "box",
        xMin: day(course.start),
        xMax: course.end ? day(course.end) : today,
        backgroundColor: FILLS.oralIron,
        borderWidth: 0,
        // Named above the chart (topLabels), not over the results.
        label: { display: false, content: course.label },
      };
      labels.push({ id: "course" + i, x: day(course.start), text: course.label, short: "Iron", color: COLORS.course });
    });
    const strip = maxFerritin * 0.045;
    (data.medicines || []).forEach(function (medicine, i) {
      allDays.push(day(medicine.start));
      annotations["medicine" + i] = {
        type: "box",
        xMin: day(medicine.start),
        xMax: medicine.end ? day(medicine.end) : today,
        yMin: strip * i,
        yMax: strip * (i + 0.85),
        backgroundColor: medicine.dopamine_agonist ? FILLS.agonist : FILLS.medicine,
        borderWidth: 0,
        // Named inside the strip where it covers no point (stripLabels).
        label: { display: false, content: medicine.label },
      };
      strips.push({
        xMin: day(medicine.start), xMax: medicine.end ? day(medicine.end) : today,
        yMin: strip * i, yMax: strip * (i + 0.85), text: medicine.label,
      });
    });
    (data.medicine_events || []).forEach(function (event, i) {
      annotations["medicineEvent" + i] = {
        type: "line",
        scaleID: "x",
        value: day(event.date),
        borderColor: COLORS.medicineEvent,
        borderDash: [4, 3],
        borderWidth: 1.5,
        label: { display: false, content: event.label },
      };
      labels.push({
        id: "medicineEvent" + i, x: day(event.date), text: event.label,
        short: event.label.split(/[ :,]/)[0], color: COLORS.medicineEvent,
      });
    });
  }

  // Legend entries for what is not a dataset: the threshold, the guideline levels and
  // the infusions, each with its own line swatch.
  function extraLegendItems(data) {
    const items = [
      { text: "Threshold " + data.threshold + " µg/L", strokeStyle: COLORS.threshold, fillStyle: COLORS.threshold, lineWidth: 2 },
    ];
    if (data.reference_lines.length) {
      items.push({
        text: data.reference_lines.map(function (l) { return l.value; }).join(" and ") + " µg/L (guidelines)",
        strokeStyle: COLORS.reference, fillStyle: "#ffffff", lineWidth: 1, lineDash: [2, 3],
      });
    }
    if (data.infusions.length) {
      items.push({ text: "Infusion", strokeStyle: COLORS.infusion, fillStyle: COLORS.infusion, lineWidth: 2 });
    }
    return items.map(function (item) {
      return Object.assign({ hidden: false, extra: true, fontColor: "#212529", pointStyle: "line" }, item);
    });
  }

  function overlayConfig(data, canvas) {
    const compact = isCompact(canvas);
    const datasets = [];
    let maxWeeks = 0;
    data.episodes.forEach(function (episode, i) {
      if (!episode.points.length) return;
      const color = EPISODE_COLORS[i % EPISODE_COLORS.length];
      const when = shortDate(day(episode.date));
      datasets.push({
        id: "episode" + episode.number,
        label: when + " · " + episode.label,
        data: episode.points.map(function (q) {
          maxWeeks = Math.max(maxWeeks, q.weeks);
          return { x: q.weeks, y: q.value, c: q.comparator };
        }),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 3,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.c ? "triangle" : "circle";
        },
      });
      if (episode.linear) {
        const line = episode.linear.line;
        datasets.push({
          id: "fit" + episode.number,
          label: "fit, " + episode.linear.decline_per_week + " µg/L per week",
          data: line.map(function (q) {
            return { x: q.weeks, y: q.value };
          }),
          borderColor: color,
          borderWidth: 1.5,
          borderDash: [6, 4],
          pointRadius: 0,
        });
      }
    });
    return {
      type: "line",
      data: { datasets: datasets },
      options: {
        parsing: false,
        maintainAspectRatio: false,
        animation: REDUCED_MOTION ? false : { duration: 300 },
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: 0,
            suggestedMax: Math.ceil(maxWeeks / 4) * 4,
            title: { display: true, text: "Weeks since infusion" },
            ticks: { stepSize: compact ? 8 : 4 },
          },
          y: { beginAtZero: true, title: { display: true, text: "Ferritin µg/L" } },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 14,
              font: { size: compact ? 12 : 13 },
              color: "#212529",
              // The threshold line is named here, not on the plot.
              generateLabels: function (chart) {
                return window.Chart.defaults.plugins.legend.labels.generateLabels(chart)
                  .concat(extraLegendItems({ threshold: data.threshold, reference_lines: [], infusions: [] }));
              },
            },
            onClick: function (event, item, legend) {
              if (!item.extra) window.Chart.defaults.plugins.legend.onClick.call(this, event, item, legend);
            },
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? "Week " + round(items[0].parsed.x, 1) : "";
              },
              label: function (ctx) {
                const raw = ctx.raw || {};
                return ctx.dataset.label + ": " + (SYMBOLS[raw.c] || "") + ctx.formattedValue + " µg/L";
              },
            },
          },
          annotation: { annotations: { threshold: annotationLines(data).threshold } },
        },
      },
    };
  }

  // A blood series drawn along the threshold line reads as the threshold: when one runs
  // within THRESHOLD_CLEARANCE px of it, the right axis is stretched so it sits lower.
  const THRESHOLD_CLEARANCE = 16;

  function clearOfThreshold(chart, threshold) {
    // Read afresh each time: every update merges the scale options into new objects.
    delete chart.config.options.scales.other.max;
    chart.update("none");
    if (!chart.scales.other) return;
    const line = chart.scales.y.getPixelForValue(threshold);
    const near = chart.data.datasets.some(function (ds, i) {
      if (BLOOD.indexOf(ds.id) < 0 || !chart.isDatasetVisible(i)) return false;
      const points = chart.getDatasetMeta(i).data;
      if (!points.length) return false;
      const mean = points.reduce(function (sum, p) { return sum + p.y; }, 0) / points.length;
      return Math.abs(mean - line) < THRESHOLD_CLEARANCE;
    });
    if (near) {
      chart.config.options.scales.other.max = Math.ceil((chart.scales.other.max * 1.5) / 5) * 5;
      chart.update("none");
    }
  }


  window.rlsChartParts = {
    COLORS,
    EPISODE_COLORS,
    FILLS,
    POINT_STYLES,
    BLOOD,
    SYMBOLS,
    day,
    shortDate,
    isCompact,
    round,
    annotationLines,
    labelRows,
    labelFont,
    labelStripHeight,
    topLabels,
    treatmentBands,
    extraLegendItems,
    overlayConfig,
    clearOfThreshold,
  };
})();
