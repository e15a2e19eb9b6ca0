package gbdt

import (
	"math"
	"slices"
)

// Objective codes, stored in the model file.
const (
	objSquared uint8 = iota + 1
	objHuber
	objAbsolute
	objBinary
	objMulticlass
)

// gpair is one row's gradient and hessian (already times the row weight).
type gpair struct{ g, h float32 }

func objectiveCode(name string, numClasses int) (uint8, bool) {
	switch name {
	case "":
		switch {
		case numClasses == 0:
			return objSquared, true
		case numClasses == 2:
			return objBinary, true
		default:
			return objMulticlass, true
		}
	case "squared":
		return objSquared, numClasses == 0
	case "huber":
		return objHuber, numClasses == 0
	case "absolute":
		return objAbsolute, numClasses == 0
	case "binary":
		return objBinary, numClasses == 2
	case "multiclass":
		return objMulticlass, numClasses >= 2
	}
	return 0, false
}

// baseScores returns the initial raw score per output (BoostFromAverage):
// weighted mean (squared, huber), weighted median (absolute), log-odds
// (binary) or class log-priors (multiclass).
func baseScores(obj uint8, k int, y, w []float64) []float64 {
	wt := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	switch obj {
	case objBinary, objMulticlass:
		counts := make([]float64, max(k, 2))
		tot := 0.0
		for i, v := range y {
			counts[int(v)] += wt(i)
			tot += wt(i)
		}
		const eps = 1e-12
		if obj == objBinary {
			p := math.Min(math.Max(counts[1]/tot, eps), 1-eps)
			return []float64{math.Log(p / (1 - p))}
		}
		out := make([]float64, k)
		for c := range out {
			out[c] = math.Log(math.Max(counts[c]/tot, eps))
		}
		return out
	case objAbsolute:
		return []float64{weightedMedian(y, w)}
	default:
		s, tot := 0.0, 0.0
		for i, v := range y {
			s += wt(i) * v
			tot += wt(i)
		}
		if tot == 0 {
			return []float64{0}
		}
		return []float64{s / tot}
	}
}

// weightedMedian returns the weighted median of v (nil w = unit weights).
func weightedMedian(v, w []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if v[a] < v[b] {
			return -1
		}
		if v[a] > v[b] {
			return 1
		}
		return a - b
	})
	tot := 0.0
	for i := range v {
		if w == nil {
			tot++
		} else {
			tot += w[i]
		}
	}
	acc := 0.0
	for _, i := range idx {
		if w == nil {
			acc++
		} else {
			acc += w[i]
		}
		if acc >= tot/2 {
			return v[i]
		}
	}
	return v[idx[len(idx)-1]]
}

// gradients fills gh for output k from the raw scores (row-major n×K) and
// the targets. prob is scratch of length n*K for multiclass (filled when
// k == 0 and reused for the other classes of the round).
func gradients(obj uint8, gh []gpair, score []float64, K, k int, y, w []float64, prob []float64, delta float64) {
	n := len(y)
	gh = gh[:n]
	y = y[:n]
	switch obj {
	case objSquared:
		score = score[:n]
		for i := range gh {
			gh[i] = gpair{float32(score[i] - y[i]), 1}
		}
	case objHuber:
		score = score[:n]
		for i := range gh {
			r := score[i] - y[i]
			if r > delta {
				r = delta
			} else if r < -delta {
				r = -delta
			}
			gh[i] = gpair{float32(r), 1}
		}
	case objAbsolute:
		score = score[:n]
		for i := range gh {
			r := score[i] - y[i]
			s := float32(0)
			if r > 0 {
				s = 1
			} else if r < 0 {
				s = -1
			}
			gh[i] = gpair{s, 1}
		}
	case objBinary:
		score = score[:n]
		for i := range gh {
			p := sigmoid(score[i])
			h := p * (1 - p)
			if !(h >= 1e-16) {
				h = 1e-16
			}
			gh[i] = gpair{float32(p - y[i]), float32(h)}
		}
	case objMulticlass:
		if k == 0 {
			softmaxRows(prob, score, K)
		}
		for i := range gh {
			p := prob[i*K+k]
			t := 0.0
			if int(y[i]) == k {
				t = 1
			}
			h := p * (1 - p)
			if !(h >= 1e-16) {
				h = 1e-16
			}
			gh[i] = gpair{float32(p - t), float32(h)}
		}
	}
	if w != nil {
		w = w[:n]
		for i := range gh {
			gh[i].g *= float32(w[i])
			gh[i].h *= float32(w[i])
		}
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// softmaxRows writes the row-wise softmax of the n×K raw scores into dst.
func softmaxRows(dst, score []float64, K int) {
	for i := 0; i+K <= len(score); i += K {
		row := score[i : i+K]
		out := dst[i : i+K]
		m := row[0]
		for _, v := range row[1:] {
			m = math.Max(m, v)
		}
		s := 0.0
		for c, v := range row {
			e := math.Exp(v - m)
			out[c] = e
			s += e
		}
		for c := range out {
			out[c] /= s
		}
	}
}

// loss returns the weighted mean loss of raw scores (row-major n×K) on y:
// squared error, Huber, absolute error, binary or multiclass log loss.
func loss(obj uint8, score []float64, K int, y, w []float64, delta float64) float64 {
	s, tot := 0.0, 0.0
	for i, t := range y {
		var l float64
		switch obj {
		case objSquared:
			r := score[i] - t
			l = r * r
		case objHuber:
			r := math.Abs(score[i] - t)
			if r <= delta {
				l = r * r / 2
			} else {
				l = delta * (r - delta/2)
			}
		case objAbsolute:
			l = math.Abs(score[i] - t)
		case objBinary:
			// log(1+exp(-z)) with z = score for y=1, -score for y=0.
			z := score[i]
			if t == 0 {
				z = -z
			}
			l = softplus(-z)
		case objMulticlass:
			row := score[i*K : i*K+K]
			m := row[0]
			for _, v := range row[1:] {
				m = math.Max(m, v)
			}
			e := 0.0
			for _, v := range row {
				e += math.Exp(v - m)
			}
			l = m + math.Log(e) - row[int(t)]
		}
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		s += wi * l
		tot += wi
	}
	if tot == 0 {
		return 0
	}
	return s / tot
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
