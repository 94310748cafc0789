// Command pod-security-check judges Kubernetes objects against the Pod
// Security Standards with k8s.io/pod-security-admission, the library the
// kube-apiserver's PodSecurity admission plugin runs, so the verdict is the
// one a namespace labelled pod-security.kubernetes.io/enforce=<level> gives.
//
// Usage: pod-security-check [--level restricted] [--version latest] FILE...
//
// Each FILE holds one or more YAML or JSON documents. For every object that
// carries a pod (Pod) or a pod template (Deployment, StatefulSet, DaemonSet,
// ReplicaSet, ReplicationController, Job, CronJob) it prints one JSON line:
//
//	{"file":"a.yaml","document":0,"kind":"Deployment","namespace":"ns","name":"app",
//	 "allowed":false,"violations":[{"reason":"runAsNonRoot != true","detail":"..."}]}
//
// Other objects are skipped. Exit 0 when every file was read and judged,
// whatever the verdicts; 2 on a usage, read or decode error.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type violation struct {
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

type verdict struct {
	File       string      `json:"file"`
	Document   int         `json:"document"`
	Kind       string      `json:"kind"`
	Namespace  string      `json:"namespace,omitempty"`
	Name       string      `json:"name"`
	Allowed    bool        `json:"allowed"`
	Violations []violation `json:"violations"`
}

type object struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
}

// podOf returns the pod metadata and spec an object runs, or ok=false for a
// kind without pods. The kinds are those the PodSecurity admission plugin
// checks (k8s.io/pod-security-admission/admission DefaultPodSpecExtractor).
func podOf(kind string, raw []byte) (*metav1.ObjectMeta, *corev1.PodSpec, bool, error) {
	template := func(target any, pick func() *corev1.PodTemplateSpec) (*metav1.ObjectMeta, *corev1.PodSpec, bool, error) {
		if err := json.Unmarshal(raw, target); err != nil {
			return nil, nil, true, err
		}
		t := pick()
		if t == nil {
			return &metav1.ObjectMeta{}, &corev1.PodSpec{}, true, nil
		}
		return &t.ObjectMeta, &t.Spec, true, nil
	}
	switch kind {
	case "Pod":
		var pod corev1.Pod
		if err := json.Unmarshal(raw, &pod); err != nil {
			return nil, nil, true, err
		}
		return &pod.ObjectMeta, &pod.Spec, true, nil
	case "Deployment":
		var o appsv1.Deployment
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case "StatefulSet":
		var o appsv1.StatefulSet
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case "DaemonSet":
		var o appsv1.DaemonSet
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case "ReplicationController":
		var o corev1.ReplicationController
		return template(&o, func() *corev1.PodTemplateSpec { return o.Spec.Template })
	case "Job":
		var o batchv1.Job
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.Template })
	case "CronJob":
		var o batchv1.CronJob
		return template(&o, func() *corev1.PodTemplateSpec { return &o.Spec.JobTemplate.Spec.Template })
	}
	return nil, nil, false, nil
}

func judgeFile(path string, evaluator policy.Evaluator, level api.LevelVersion, out *json.Encoder) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	decoder := yamlutil.NewYAMLOrJSONDecoder(file, 4096)
	for document := 0; ; document++ {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: document %d: %w", path, document, err)
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var meta object
		if err := json.Unmarshal(raw, &meta); err != nil {
			return fmt.Errorf("%s: document %d: %w", path, document, err)
		}
		podMeta, podSpec, hasPod, err := podOf(meta.Kind, raw)
		if err != nil {
			return fmt.Errorf("%s: document %d (%s %s): %w", path, document, meta.Kind, meta.Name, err)
		}
		if !hasPod {
			continue
		}
		result := verdict{File: path, Document: document, Kind: meta.Kind, Namespace: meta.Namespace, Name: meta.Name, Allowed: true, Violations: []violation{}}
		for _, check := range evaluator.EvaluatePod(level, podMeta, podSpec) {
			if !check.Allowed {
				result.Allowed = false
				result.Violations = append(result.Violations, violation{Reason: check.ForbiddenReason, Detail: check.ForbiddenDetail})
			}
		}
		if err := out.Encode(result); err != nil {
			return err
		}
	}
}

func libraryVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dependency := range info.Deps {
			if dependency.Path == "k8s.io/pod-security-admission" {
				return dependency.Version
			}
		}
	}
	return "unknown"
}

func main() {
	levelName := flag.String("level", string(api.LevelRestricted), "Pod Security Standards level: baseline or restricted")
	versionName := flag.String("version", "latest", `Pod Security Standards version ("latest" or "v1.N")`)
	printVersion := flag.Bool("print-version", false, "print the k8s.io/pod-security-admission version and exit")
	flag.Parse()
	if *printVersion {
		fmt.Printf("pod-security-check k8s.io/pod-security-admission %s\n", libraryVersion())
		return
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "pod-security-check: "+format+"\n", args...)
		os.Exit(2)
	}
	level, err := api.ParseLevel(*levelName)
	if err != nil || level == api.LevelPrivileged {
		fail("--level must be baseline or restricted, not %q", *levelName)
	}
	version, err := api.ParseVersion(*versionName)
	if err != nil {
		fail("--version: %v", err)
	}
	if flag.NArg() == 0 {
		fail("no file given (usage: pod-security-check [--level restricted] [--version latest] FILE...)")
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fail("%v", err)
	}
	out := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		if err := judgeFile(path, evaluator, api.LevelVersion{Level: level, Version: version}, out); err != nil {
			fail("%v", err)
		}
	}
}
